//! monday.com JSON → text. Work in progress.
