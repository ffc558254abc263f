//! The fake servers over real HTTP, as a crawler sees them: one test binary, one module per
//! fake (`cargo test -p trove-fakes --test http notion::`).

mod monday;
mod notion;
