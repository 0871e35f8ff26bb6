-- Where a package is used across a tenant: components looked up by name, any case
-- (GET /components/search?name=). The purl lookup already has components_purl.
CREATE INDEX components_tenant_name ON components (tenant_id, lower(name));
