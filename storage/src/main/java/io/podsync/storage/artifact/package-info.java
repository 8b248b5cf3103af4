/**
 * Artifact stores: evidence bytes (signatures, photos, documents) addressed by their SHA-256, in S3-compatible object
 * storage or on local disk. Uploads arrive in chunks that are staged in the same store, so any replica can continue
 * an upload another one started.
 */
package io.podsync.storage.artifact;
