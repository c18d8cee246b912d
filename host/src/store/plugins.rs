//! The plugin tables: `plugin_blobs` (bytes by SHA-256) and
//! `plugin_versions` (immutable semver versions, their describe() and yanks).

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store, Tx, read};

/// A published version, as the registry keeps it.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct VersionRecord {
    /// `namespace/name`.
    pub name: String,
    /// The semver version.
    pub version: String,
    /// The SHA-256 of its bytes.
    pub sha256: String,
    /// Who published it.
    pub published_by: String,
    /// When, in milliseconds since the epoch.
    pub published_at: i64,
    /// Whether it has been yanked (never picked again, still evaluable).
    pub yanked: bool,
    /// Whether it is a pre-release (picked only when named explicitly).
    pub prerelease: bool,
    /// The contract version its component targets: "1.0.0" or "1.1.0".
    pub contract: String,
}

const VERSION_COLUMNS: &str =
    "namespace, name, version, sha256, published_by, published_at, yanked_at, prerelease, contract";

fn version_record(row: &AnyRow) -> Result<VersionRecord, sqlx::Error> {
    let ns: String = row.try_get("namespace")?;
    let name: String = row.try_get("name")?;
    Ok(VersionRecord {
        name: format!("{ns}/{name}"),
        version: row.try_get("version")?,
        sha256: row.try_get("sha256")?,
        published_by: row.try_get("published_by")?,
        published_at: row.try_get("published_at")?,
        yanked: row.try_get::<Option<i64>, _>("yanked_at")?.is_some(),
        prerelease: row.try_get::<i64, _>("prerelease")? != 0,
        contract: row.try_get("contract")?,
    })
}

impl Store {
    /// The version whose bytes have this SHA-256, if one was published.
    pub async fn version_by_sha(&self, sha256: &str) -> Result<Option<VersionRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE sha256 = $1"
        ))
        .bind(sha256.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(version_record).transpose()?)
    }

    /// One exact version of `namespace/name`, if it is published.
    pub async fn plugin_version(
        &self,
        namespace: &str,
        name: &str,
        version: &str,
    ) -> Result<Option<VersionRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE namespace = $1 AND name = $2 AND version = $3"
        ))
        .bind(namespace.to_string())
        .bind(name.to_string())
        .bind(version.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(version_record).transpose()?)
    }

    /// Every published plugin's `namespace/name`, by namespace then name.
    pub async fn plugin_names(&self) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT namespace, name FROM plugin_versions ORDER BY namespace, name",
        )
        .fetch_all(self.pool())
        .await?;
        read(&rows, |r| {
            Ok(format!(
                "{}/{}",
                r.try_get::<String, _>("namespace")?,
                r.try_get::<String, _>("name")?
            ))
        })
    }

    /// Every version of `namespace/name`, in no particular order.
    pub async fn plugin_versions(&self, namespace: &str, name: &str) -> Result<Vec<VersionRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE namespace = $1 AND name = $2"
        ))
        .bind(namespace.to_string())
        .bind(name.to_string())
        .fetch_all(self.pool())
        .await?;
        read(&rows, version_record)
    }

    /// One exact version's record and its describe() JSON text, if published.
    pub async fn plugin_describe(
        &self,
        namespace: &str,
        name: &str,
        version: &str,
    ) -> Result<Option<(VersionRecord, String)>> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS}, describe FROM plugin_versions WHERE namespace = $1 AND name = $2 AND version = $3"
        ))
        .bind(namespace.to_string())
        .bind(name.to_string())
        .bind(version.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row
            .map(|row| Ok::<_, sqlx::Error>((version_record(&row)?, row.try_get("describe")?)))
            .transpose()?)
    }

    /// The bytes stored under this SHA-256 (an error when there are none).
    pub async fn plugin_blob(&self, sha256: &str) -> Result<Vec<u8>> {
        let row = sqlx::query("SELECT bytes FROM plugin_blobs WHERE sha256 = $1")
            .bind(sha256.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("bytes")?)
    }
}

impl Tx {
    /// Stores a plugin's bytes under their SHA-256, unless already there.
    pub async fn insert_plugin_blob(&mut self, sha256: &str, bytes: &[u8]) -> Result<()> {
        sqlx::query("INSERT INTO plugin_blobs (sha256, bytes, size) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
            .bind(sha256.to_string())
            .bind(bytes.to_vec())
            .bind(bytes.len() as i64)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Inserts a new version of `namespace/name` (`record.name` is not read);
    /// a unique violation when that version exists.
    pub async fn insert_plugin_version(
        &mut self,
        namespace: &str,
        name: &str,
        record: &VersionRecord,
        describe: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO plugin_versions (namespace, name, version, prerelease, sha256, describe, published_by, published_at, contract) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(namespace.to_string())
        .bind(name.to_string())
        .bind(record.version.clone())
        .bind(i64::from(record.prerelease))
        .bind(record.sha256.clone())
        .bind(describe.to_string())
        .bind(record.published_by.clone())
        .bind(record.published_at)
        .bind(record.contract.clone())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Marks a version yanked at `at` by `by`, unless it already is.
    pub async fn yank_plugin_version(
        &mut self,
        namespace: &str,
        name: &str,
        version: &str,
        by: &str,
        at: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE plugin_versions SET yanked_at = $1, yanked_by = $2 \
             WHERE namespace = $3 AND name = $4 AND version = $5 AND yanked_at IS NULL",
        )
        .bind(at)
        .bind(by.to_string())
        .bind(namespace.to_string())
        .bind(name.to_string())
        .bind(version.to_string())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// The personal facts an admin set for a version, and who set them; none
    /// when nobody has.
    pub async fn personal_fact_list(
        &self,
        namespace: &str,
        name: &str,
        version: &str,
    ) -> Result<Option<(Vec<String>, String)>> {
        let row = sqlx::query(
            "SELECT facts, set_by FROM personal_fact_lists WHERE namespace = $1 AND name = $2 AND version = $3",
        )
        .bind(namespace.to_string())
        .bind(name.to_string())
        .bind(version.to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let text: String = row.try_get("facts")?;
        let facts = serde_json::from_str(&text).map_err(|e| {
            super::Error::corrupt(format!(
                "the personal facts of {namespace}/{name}@{version} do not read: {e}"
            ))
        })?;
        Ok(Some((facts, row.try_get("set_by")?)))
    }
}

impl Tx {
    /// Sets the personal facts of a version, replacing what was set.
    pub async fn set_personal_fact_list(
        &mut self,
        namespace: &str,
        name: &str,
        version: &str,
        facts: &[String],
        by: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO personal_fact_lists (namespace, name, version, facts, set_by, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (namespace, name, version) DO UPDATE SET facts = excluded.facts, \
             set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(namespace.to_string())
        .bind(name.to_string())
        .bind(version.to_string())
        .bind(serde_json::to_string(facts).expect("a list of names is JSON"))
        .bind(by.to_string())
        .bind(super::now_millis())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
