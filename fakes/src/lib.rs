//! Fake Notion and monday.com servers speaking real HTTP on loopback, for tests, the demo and
//! benchmarks. They follow ../shared/docs/notion-api.md and ../shared/docs/monday-api.md.

pub mod company;
pub mod fixtures;
pub mod monday;
pub mod notion;
pub mod rng;

mod server {
    use std::net::SocketAddr;

    use tokio::sync::oneshot;
    use tokio::task::JoinHandle;

    /// An axum app served in a background task on loopback; both fakes run on one.
    /// Dropping it (or [`Running::shutdown`]) stops the server.
    #[derive(Debug)]
    pub(crate) struct Running {
        pub addr: SocketAddr,
        stop: Option<oneshot::Sender<()>>,
        task: Option<JoinHandle<()>>,
    }

    impl Running {
        /// Binds `addr` (`127.0.0.1:0` when `None`) and serves `app`; `name` is for the log.
        pub async fn start(
            addr: Option<SocketAddr>,
            app: axum::Router,
            name: &'static str,
        ) -> std::io::Result<Running> {
            let bind = addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
            let listener = tokio::net::TcpListener::bind(bind).await?;
            let addr = listener.local_addr()?;
            let (stop, stopped) = oneshot::channel::<()>();
            let task = tokio::spawn(async move {
                let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                    let _ = stopped.await;
                });
                if let Err(e) = serve.await {
                    tracing::warn!(error = %e, server = name, "fake server stopped");
                }
            });
            Ok(Running {
                addr,
                stop: Some(stop),
                task: Some(task),
            })
        }

        /// Stops the server and waits for it to finish.
        pub async fn shutdown(mut self) {
            if let Some(stop) = self.stop.take() {
                let _ = stop.send(());
            }
            if let Some(task) = self.task.take() {
                let _ = task.await;
            }
        }
    }

    impl Drop for Running {
        fn drop(&mut self) {
            if let Some(stop) = self.stop.take() {
                let _ = stop.send(());
            }
        }
    }
}

pub(crate) use server::Running;
