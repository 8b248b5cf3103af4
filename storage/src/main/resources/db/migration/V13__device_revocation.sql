-- Who revoked a device, and when (an ops client through the API, or a person through the console), so that the fleet
-- list and the trace can say it.
ALTER TABLE devices ADD COLUMN revoked_by VARCHAR(128);
ALTER TABLE devices ADD COLUMN revoked_at BIGINT;
