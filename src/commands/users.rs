//! `rind user add` and `rind token add`.

use crate::db::DbConnection;
use crate::error::{AppError, Result};

/// `rind user add --email E --role R`: the password comes from `RIND_PASSWORD` or is
/// asked for on the terminal.
pub fn add_user(conn: &mut DbConnection, email: &str, role: &str) -> Result<()> {
    // Check the role before asking for a password.
    crate::domain::Role::parse(role)?;
    let password = match std::env::var("RIND_PASSWORD") {
        Ok(p) => p,
        Err(_) => rpassword::prompt_password(format!("Password for {email}: "))
            .map_err(|e| AppError::io("cannot read the password", e))?,
    };
    let email = crate::auth::add_user(conn, email, role, &password)?;
    println!("added {role} {email}");
    Ok(())
}

/// `rind token add --email E --name N`: the secret goes to standard output, once.
pub fn add_token(conn: &mut DbConnection, email: &str, name: &str) -> Result<()> {
    let token = crate::auth::add_api_token(conn, email, name)?;
    println!("{token}");
    eprintln!(
        "API token `{name}` for {email}: send it as `Authorization: Bearer TOKEN`; it is not shown again"
    );
    Ok(())
}
