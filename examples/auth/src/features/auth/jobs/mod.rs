//! Jobs of feature `auth`, one file each; their types are re-exported here.

mod login;
mod logout;
mod refresh_token;

pub use login::LoginJob;
pub use logout::LogoutJob;
pub use refresh_token::RefreshTokenJob;
