//! The rotation's steps on API Gateway: the new key made (or found again when resumed), its
//! value, its usage plans, the old key's state.

use super::*;

impl Rotator {
    /// The keys named as the new key is: (id, made by this rotation, as its description says).
    pub(super) async fn named_new(&self, r: &Rotation, s: &StepId) -> Step<Vec<(String, bool)>> {
        self.paced(r, s).await;
        let page = self
            .clients
            .apigateway
            .get_api_keys()
            .name_query(&r.new_key_name)
            .limit(500)
            .send()
            .await
            .map_err(|e| api_err("apigateway:GET /apikeys", &e))?;
        let ours = format!("edgetop rotation {}", r.id);
        Ok(page
            .items()
            .iter()
            .filter(|k| k.name() == Some(r.new_key_name.as_str()))
            .filter_map(|k| {
                let id = k.id()?.to_string();
                Some((id, k.description().is_some_and(|d| d.ends_with(&ours))))
            })
            .collect())
    }

    /// The new key's id: journaled, or, when its creation began but was not journaled (a crash
    /// between CreateApiKey and the journal), the one key of its name whose description
    /// carries this rotation's id. A key of that name without it is someone else's: never
    /// taken for ours.
    pub(super) async fn find_new(&self, r: &mut Rotation, s: &StepId) -> Step<Option<String>> {
        if let Some(id) = &r.new_key_id {
            return Ok(Some(id.clone()));
        }
        if r.mark(&StepId::Create).is_none() {
            return Ok(None);
        }
        let ours: Vec<String> = self
            .named_new(r, s)
            .await?
            .into_iter()
            .filter_map(|(id, ours)| ours.then_some(id))
            .collect();
        match ours.as_slice() {
            [] => Ok(None),
            [id] => {
                r.new_key_id = Some(id.clone());
                self.save(r).await.map_err(|e| e.to_string())?;
                Ok(Some(id.clone()))
            }
            _ => Err(StepError::Refused(format!(
                "{} API keys are named {} and carry this rotation's id: which one it made cannot \
                 be told, so none is used. Delete the ones it did not make, then go on",
                ours.len(),
                Text::new(&r.new_key_name)
            ))),
        }
    }

    /// Create the new key, unless an earlier run did (`resumed`: its creation began and was
    /// not journaled as done). A key of the new key's name that this rotation did not make is
    /// refused, not adopted: whoever made it would learn the value CloudFront is to send.
    pub(super) async fn create(&self, r: &mut Rotation, s: &StepId, resumed: bool) -> Step<()> {
        if resumed && self.find_new(r, s).await?.is_some() {
            return Ok(());
        }
        let theirs: Vec<String> = self
            .named_new(r, s)
            .await?
            .into_iter()
            .filter_map(|(id, ours)| (!ours || !resumed).then_some(id))
            .collect();
        if !theirs.is_empty() {
            return Err(StepError::Refused(format!(
                "an API key named {} already exists ({}) and this rotation did not create it \
                 (its description does not carry rotation {}): it is not used, and nothing was \
                 created. Find out who made it; roll back, or delete it and finish",
                Text::new(&r.new_key_name),
                Text::new(&theirs.join(", ")),
                r.id
            )));
        }
        self.paced(r, s).await;
        let made = self
            .clients
            .apigateway
            .create_api_key()
            .name(&r.new_key_name)
            .description(Self::description(r))
            .enabled(true)
            .send()
            .await
            .map_err(|e| api_err("apigateway:POST /apikeys", &e))?;
        r.new_key_id = made.id().map(str::to_string);
        self.save(r)
            .await
            .map_err(|e| StepError::Failed(e.to_string()))
    }

    /// Whether the old key still exists (a fresh read: GetApiKey, without its value).
    pub(super) async fn old_key_exists(&self, r: &Rotation, s: &StepId) -> Step<bool> {
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .get_api_key()
            .api_key(&r.old_key_id)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => Ok(false),
            Err(e) => Err(api_err("apigateway:GET /apikeys/*", &e).into()),
        }
    }

    pub(super) async fn value_of(&self, r: &Rotation, s: &StepId, id: &str) -> Step<Secret> {
        self.paced(r, s).await;
        crate::source::aws::apigateway::key_value(&self.clients.apigateway, id)
            .await
            .map_err(|e| StepError::Failed(e.to_string()))
    }

    pub(super) async fn old_value(&self, r: &Rotation, v: &mut Values) -> Step<Secret> {
        if let Some(old) = &v.old {
            return Ok(old.clone());
        }
        let old = self.value_of(r, &StepId::Create, &r.old_key_id).await?;
        v.old = Some(old.clone());
        Ok(old)
    }

    pub(super) async fn new_value(&self, r: &mut Rotation, v: &mut Values) -> Step<Secret> {
        if let Some(new) = &v.new {
            return Ok(new.clone());
        }
        let id = self
            .find_new(r, &StepId::Create)
            .await?
            .ok_or("the new key does not exist")?;
        let new = self.value_of(r, &StepId::Create, &id).await?;
        v.new = Some(new.clone());
        Ok(new)
    }

    pub(super) async fn add_to_plan(&self, r: &mut Rotation, s: &StepId, plan: &str) -> Step<()> {
        let id = self
            .find_new(r, s)
            .await?
            .ok_or("the new key does not exist")?;
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .create_usage_plan_key()
            .usage_plan_id(plan)
            .key_id(&id)
            .key_type("API_KEY")
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Already a member: the call went through before a crash.
            Err(e) if code(&e).as_deref() == Some("ConflictException") => Ok(()),
            // The plan was deleted meanwhile: no key can be in it.
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => {
                self.warn(r, s, format!("usage plan {plan} no longer exists: skipped"));
                Ok(())
            }
            Err(e) => Err(api_err("apigateway:POST /usageplans/*/keys", &e).into()),
        }
    }

    pub(super) async fn remove_from_plan(
        &self,
        r: &mut Rotation,
        s: &StepId,
        plan: &str,
    ) -> Step<()> {
        let Some(id) = self.find_new(r, s).await? else {
            return Ok(());
        };
        // Is it a member? (Asking first gives a clean answer everywhere; some endpoints answer a
        // delete of a non-member with a server error.)
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .get_usage_plan_key()
            .usage_plan_id(plan)
            .key_id(&id)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => return Ok(()),
            Err(e) => return Err(api_err("apigateway:GET /usageplans/*/keys/*", &e).into()),
        }
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .delete_usage_plan_key()
            .usage_plan_id(plan)
            .key_id(&id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => Ok(()),
            Err(e) => Err(api_err("apigateway:DELETE /usageplans/*/keys/*", &e).into()),
        }
    }

    pub(super) async fn delete_new(&self, r: &mut Rotation, s: &StepId) -> Step<()> {
        let Some(id) = self.find_new(r, s).await? else {
            return Ok(());
        };
        self.paced(r, s).await;
        match self
            .clients
            .apigateway
            .delete_api_key()
            .api_key(&id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e).as_deref() == Some("NotFoundException") => Ok(()),
            Err(e) => Err(api_err("apigateway:DELETE /apikeys/*", &e).into()),
        }
    }

    pub(super) async fn set_enabled(&self, r: &Rotation, s: &StepId, enabled: bool) -> Step<()> {
        self.paced(r, s).await;
        let patch = PatchOperation::builder()
            .op(PatchOp::Replace)
            .path("/enabled")
            .value(enabled.to_string())
            .build();
        match self
            .clients
            .apigateway
            .update_api_key()
            .api_key(&r.old_key_id)
            .patch_operations(patch)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Someone deleted the old key: nothing can send it, so disabling it is done. (It
            // cannot be enabled again, though: a roll back stops here rather than point
            // distributions at a key that is gone.)
            Err(e) if !enabled && code(&e).as_deref() == Some("NotFoundException") => {
                self.warn(
                    r,
                    s,
                    format!(
                        "the old key {} no longer exists",
                        Text::new(&r.old_key_name)
                    ),
                );
                Ok(())
            }
            Err(e) => Err(api_err("apigateway:PATCH /apikeys/*", &e).into()),
        }
    }
}
