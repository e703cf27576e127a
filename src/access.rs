//! How the run acts in each account it audits: with the caller's own clients in the caller's
//! account, with a member role's credentials in every other. A role is assumed once, when the
//! run first needs that account: for the account's own turn, or for a link of another
//! account's chain that lives there (an organization trail's log group in the management
//! account, an alarm topic in a security account). Its clients are forgotten when the
//! account's turn ends.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::clients::Clients;
use crate::config::MemberAccess;
use crate::discover::assume_member_role;
use crate::error::ApiFailure;
use crate::identity::Identity;
use crate::memo::{Keep, Memo};

/// The run's way into every audited account.
pub struct AccountAccess<'a> {
    caller: &'a Identity,
    caller_clients: Arc<Clients>,
    audited: BTreeSet<String>,
    member: &'a MemberAccess,
    assumed: Memo<String, Result<Arc<Clients>, ApiFailure>>,
}

impl<'a> AccountAccess<'a> {
    /// Access to `accounts` for `caller`, whose clients are `caller_clients`, through the
    /// member role `member`.
    pub fn new(
        caller_clients: &Clients,
        caller: &'a Identity,
        accounts: &[String],
        member: &'a MemberAccess,
    ) -> Self {
        AccountAccess {
            caller,
            caller_clients: Arc::new(Clients::new(caller_clients.base().clone())),
            audited: accounts.iter().cloned().collect(),
            member,
            assumed: Memo::default(),
        }
    }

    /// The caller's identity.
    pub fn caller(&self) -> &Identity {
        self.caller
    }

    /// The region the run's account-wide calls go to (STS, EC2's region list).
    pub fn home_region(&self) -> String {
        self.caller_clients.home_region()
    }

    /// The member role's ARN in `account`.
    pub fn role_arn(&self, account: &str) -> String {
        format!("arn:{}:iam::{account}:role/{}", self.caller.partition, self.member.role_name)
    }

    /// Whether the run audits `account`: only then does it act there.
    pub fn audits(&self, account: &str) -> bool {
        self.audited.contains(account)
    }

    /// The clients acting in `account`, an audited account.
    ///
    /// # Errors
    ///
    /// The STS failure, naming the role, when the account's role cannot be assumed.
    pub async fn clients(&self, account: &str) -> Result<Arc<Clients>, ApiFailure> {
        if account == self.caller.account {
            return Ok(Arc::clone(&self.caller_clients));
        }
        self.assumed
            .get_or_fetch(&account.to_string(), &Keep::Turn(account.to_string()), || async {
                let home = self.caller_clients.home_region();
                let role = self.role_arn(account);
                let sts = self.caller_clients.sts();
                match assume_member_role(&sts, &home, &role, self.member.external_id.as_deref()).await {
                    Ok(credentials) => Ok(Arc::new(self.caller_clients.with_credentials(credentials))),
                    Err(failure) => {
                        Err(ApiFailure { message: format!("{} (role {role})", failure.message), ..failure })
                    }
                }
            })
            .await
    }

    /// Forgets `account`'s clients, once its turn has ended.
    pub fn release(&self, account: &str) {
        self.assumed.release(account);
    }
}
