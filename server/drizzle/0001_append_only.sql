-- Append-only tables: versions, the ledger and the audit log are never edited in place.
-- A cascaded delete (an installation removed, pg_trigger_depth() > 1) is still allowed.
CREATE FUNCTION "pb_reject_mutation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "ledger_lines_append_only" BEFORE UPDATE OR DELETE ON "ledger_lines"
  FOR EACH ROW EXECUTE FUNCTION "pb_reject_mutation"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "pb_reject_mutation"();
--> statement-breakpoint
CREATE TRIGGER "program_versions_append_only" BEFORE UPDATE OR DELETE ON "program_versions"
  FOR EACH ROW EXECUTE FUNCTION "pb_reject_mutation"();
--> statement-breakpoint
CREATE TRIGGER "commission_rule_versions_append_only" BEFORE UPDATE OR DELETE ON "commission_rule_versions"
  FOR EACH ROW EXECUTE FUNCTION "pb_reject_mutation"();
