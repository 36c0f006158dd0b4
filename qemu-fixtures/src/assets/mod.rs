//! Layer `assets`: declaring, caching, downloading, gc and unpacking of files a test needs; uses nothing of QEMU.

pub mod archive;
pub mod beneath;
pub mod cache;
pub mod debian;
pub mod declare;
pub mod download;
pub mod error;
pub mod gc;
pub mod hash;
pub mod listing;
pub mod mirror;
pub mod uncompress;
pub mod unpacked;

pub use cache::{Cache, Fetched, How, Progress, Quiet};
pub use declare::{Asset, REGISTRY};
pub use error::AssetError;
pub use gc::GcReport;
pub use hash::{Algorithm, Hasher, hash_file, hex};
pub use mirror::Mirror;
