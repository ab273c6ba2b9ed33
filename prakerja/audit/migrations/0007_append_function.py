"""PostgreSQL: appending to a chain is one server-side call (prakerja.audit.services.audit_record).

``prakerja_audit_append`` does what the writer did in three round trips: it
takes the chain's lock, reads the chain's last hash, stamps the row with the
database's clock under that lock (so ``created_at`` follows the chain's
order), hashes it and inserts it. The writer sends the canonical text of the
row around its ``created_at`` (prakerja.audit.chain.canonical_parts), so the
stored hash is ``sha256(prev_hash + canonical(row))`` exactly as
``audit_verify`` recomputes it in Python. The lock keys are the ones the
writer took before, so a release still taking them itself appends safely
beside this one during a rolling deploy. The function is VOLATILE (the
default), so under READ COMMITTED its SELECT takes a snapshot after the lock
is granted and sees the row the previous holder committed; the unique
``prev_hash`` refuses a fork if anything ever reads an older one. SQLite
keeps the Python writer.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION prakerja_audit_append(
    p_chain smallint, p_public_id uuid, p_actor_id bigint, p_actor_label text,
    p_action text, p_target_type text, p_target_id text, p_target_label text, p_reason text, p_data jsonb,
    p_before text, p_after text,
    OUT o_id bigint, OUT o_created_at timestamptz, OUT o_prev_hash text, OUT o_row_hash text)
LANGUAGE plpgsql AS $$
BEGIN
    IF p_chain IS NULL OR p_chain NOT BETWEEN 0 AND 15 THEN
        RAISE EXCEPTION USING MESSAGE = 'audit chain ' || COALESCE(p_chain::text, 'NULL') || ' out of range';
    END IF;
    -- audit.services.CHAIN_LOCK * 16 + the chain: the lock the writers of the chain take in turn
    PERFORM pg_advisory_xact_lock(6697301481280 + p_chain);
    SELECT e.row_hash INTO o_prev_hash FROM audit_auditentry e WHERE e.chain = p_chain ORDER BY e.id DESC LIMIT 1;
    o_prev_hash := COALESCE(o_prev_hash, lpad(to_hex(p_chain::integer), 64, '0'));  -- audit.chain.genesis
    o_created_at := date_trunc('microseconds', clock_timestamp());
    o_row_hash := encode(sha256(convert_to(o_prev_hash || p_before
        || to_char(o_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00' || p_after, 'UTF8')),
        'hex');
    INSERT INTO audit_auditentry (public_id, created_at, actor_id, actor_label, action, target_type, target_id,
                                  target_label, reason, data, chain, prev_hash, row_hash)
    VALUES (p_public_id, o_created_at, p_actor_id, p_actor_label, p_action, p_target_type, p_target_id,
            p_target_label, p_reason, p_data, p_chain, o_prev_hash, o_row_hash)
    RETURNING id INTO o_id;
END
$$
"""
DROP = ("DROP FUNCTION IF EXISTS prakerja_audit_append(smallint, uuid, bigint, text, text, text, text, text, text, "
        "jsonb, text, text)")


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_chains")]
    operations = [migrations.RunPython(up, down)]
