// store/migrations.h — the store's schema as numbered migration steps
// (internal to store/).
//
// Step N brings a database from user_version N-1 to N. Steps are append-only:
// a step that shipped is never edited, because devices in the field already
// ran it; a change is a new step. Migrate() runs every missing step and the
// user_version update in ONE transaction, so a crash or a failing step leaves
// the database exactly at its old version.
#pragma once

#include <sqlite3.h>

#include "common/status.h"

namespace fieldsync::store::internal {

// The highest step this build knows (== CurrentSchemaVersion()).
int LatestSchemaVersion();

// The SQL of one step (1-based), for tests and documentation; nullptr when
// there is no such step.
const char* MigrationSql(int version);

// FailedPrecondition, naming both versions, when the file is newer than this
// build; reads only (safe to call before changing the journal mode).
Status CheckNotNewer(sqlite3* db);

// Brings the database to LatestSchemaVersion(). Fails with
// FailedPrecondition, naming both versions, when the file is newer than this
// build; with the step's error (and nothing changed) when a step fails.
Status Migrate(sqlite3* db);

}  // namespace fieldsync::store::internal
