//! monday.com connector (see docs/monday-api.md). Work in progress.

use crate::config::SourceConfig;
use crate::connectors::{ConnectorError, Progress, Sink, SyncOptions, SyncSummary};

/// Placeholder until the connector lands.
pub async fn sync(
    _cfg: &SourceConfig,
    _sink: &mut dyn Sink,
    _opts: &SyncOptions,
    _progress: &dyn Progress,
) -> Result<SyncSummary, ConnectorError> {
    Err(ConnectorError::Protocol("connector not built yet".into()))
}
