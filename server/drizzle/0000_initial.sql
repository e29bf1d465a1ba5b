CREATE TABLE "api_budgets" (
	"installation_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"daily_limit" integer NOT NULL,
	"reserve_percent" integer DEFAULT 25 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_budgets_pkey" PRIMARY KEY("installation_id","provider"),
	CONSTRAINT "api_budgets_provider_check" CHECK ("api_budgets"."provider" in ('hubspot', 'salesforce'))
);
--> statement-breakpoint
CREATE TABLE "api_usage" (
	"installation_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"day" date NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"rate_limited" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"last_limit_info" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_usage_pkey" PRIMARY KEY("installation_id","provider","day"),
	CONSTRAINT "api_usage_provider_check" CHECK ("api_usage"."provider" in ('hubspot', 'salesforce'))
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"installation_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY("installation_id","key")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"installation_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"origin" text NOT NULL,
	"actor" text,
	"action" text NOT NULL,
	"object_kind" text,
	"local_id" uuid,
	"hubspot_id" text,
	"salesforce_id" text,
	"before" jsonb,
	"after" jsonb,
	"policy" jsonb,
	"decision" jsonb,
	"correlation_id" text,
	CONSTRAINT "audit_log_origin_check" CHECK ("audit_log"."origin" in ('hubspot', 'salesforce', 'partnerbridge', 'api', 'admin'))
);
--> statement-breakpoint
CREATE TABLE "dead_letters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid,
	"queue" text NOT NULL,
	"job_name" text NOT NULL,
	"job_id" text,
	"error_type" text NOT NULL,
	"reason" text NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"first_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	CONSTRAINT "dead_letters_status_check" CHECK ("dead_letters"."status" in ('open', 'replayed', 'discarded'))
);
--> statement-breakpoint
CREATE TABLE "deals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"hubspot_deal_id" text,
	"salesforce_opportunity_id" text,
	"name" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"project_value_minor" bigint,
	"pipeline_id" text,
	"stage_id" text,
	"stage_category" text NOT NULL,
	"created_on" date NOT NULL,
	"close_date" date NOT NULL,
	"probability" numeric DEFAULT '0' NOT NULL,
	"deal_type" text NOT NULL,
	"contract_months" integer,
	"reversal_reason" text,
	"reversal_on" date,
	"customer_hubspot_company_id" text,
	"customer_salesforce_account_id" text,
	"customer_name" text,
	"hubspot_modified_at" timestamp with time zone,
	"salesforce_modified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "deals_installation_id_key" UNIQUE("installation_id","id"),
	CONSTRAINT "deals_stage_category_check" CHECK ("deals"."stage_category" in ('open', 'won', 'lost')),
	CONSTRAINT "deals_currency_check" CHECK ("deals"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "deals_probability_check" CHECK ("deals"."probability" is null or ("deals"."probability" >= 0 and "deals"."probability" <= 1)),
	CONSTRAINT "deals_amount_check" CHECK ("deals"."amount_minor" >= 0),
	CONSTRAINT "deals_contract_months_check" CHECK ("deals"."contract_months" is null or "deals"."contract_months" > 0)
);
--> statement-breakpoint
CREATE TABLE "partner_tags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"deal_id" uuid NOT NULL,
	"partner_id" uuid NOT NULL,
	"role" text NOT NULL,
	"motion" text NOT NULL,
	"touched_at" timestamp with time zone NOT NULL,
	"share" numeric,
	"tagged_by" text NOT NULL,
	"source" text NOT NULL,
	"registration_status" text DEFAULT 'approved' NOT NULL,
	"registration_expires_at" timestamp with time zone,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "partner_tags_role_check" CHECK ("partner_tags"."role" in ('sourced', 'influenced')),
	CONSTRAINT "partner_tags_motion_check" CHECK ("partner_tags"."motion" in ('referral', 'co_sell', 'white_label', 'enterprise')),
	CONSTRAINT "partner_tags_source_check" CHECK ("partner_tags"."source" in ('hubspot_card', 'salesforce', 'import')),
	CONSTRAINT "partner_tags_registration_status_check" CHECK ("partner_tags"."registration_status" in ('pending', 'approved', 'rejected')),
	CONSTRAINT "partner_tags_share_check" CHECK ("partner_tags"."share" is null or ("partner_tags"."share" >= 0 and "partner_tags"."share" <= 1))
);
--> statement-breakpoint
CREATE TABLE "installations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"hubspot_portal_id" text,
	"hubspot_app_id" text,
	"hubspot_hub_domain" text,
	"hubspot_scopes" jsonb,
	"hubspot_installed_by" text,
	"salesforce_org_id" text,
	"salesforce_instance_url" text,
	"salesforce_login_url" text,
	"salesforce_auth_kind" text,
	"salesforce_username" text,
	"salesforce_user_id" text,
	"salesforce_linked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"uninstalled_at" timestamp with time zone,
	CONSTRAINT "installations_status_check" CHECK ("installations"."status" in ('active', 'uninstalled')),
	CONSTRAINT "installations_salesforce_auth_kind_check" CHECK ("installations"."salesforce_auth_kind" in ('web_server', 'jwt_bearer'))
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"installation_id" uuid,
	"browser_binding_hash" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "oauth_states_purpose_check" CHECK ("oauth_states"."purpose" in ('hubspot_install', 'salesforce_link'))
);
--> statement-breakpoint
CREATE TABLE "oauth_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"access_token_enc" text NOT NULL,
	"refresh_token_enc" text,
	"token_type" text DEFAULT 'bearer' NOT NULL,
	"scopes" jsonb,
	"expires_at" timestamp with time zone,
	"issued_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "oauth_tokens_provider_check" CHECK ("oauth_tokens"."provider" in ('hubspot', 'salesforce'))
);
--> statement-breakpoint
CREATE TABLE "ledger_lines" (
	"installation_id" uuid NOT NULL,
	"id" text NOT NULL,
	"partner_id" uuid NOT NULL,
	"deal_id" uuid,
	"rule_id" text,
	"rule_version" integer,
	"kind" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"effective_on" date NOT NULL,
	"payable_on" date,
	"reverses_line_id" text,
	"export_id" text,
	"explanation" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_lines_pkey" PRIMARY KEY("installation_id","id"),
	CONSTRAINT "ledger_lines_currency_check" CHECK ("ledger_lines"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"hubspot_company_id" text,
	"salesforce_account_id" text,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"subtype" text NOT NULL,
	"joined_on" date NOT NULL,
	"certified_salespeople" integer DEFAULT 0 NOT NULL,
	"training_level" text DEFAULT 'none' NOT NULL,
	"strategic_agreement_signed" boolean DEFAULT false NOT NULL,
	"onboarding_completed" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tier" text DEFAULT 'registered' NOT NULL,
	"tier_history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"below_tier_since" date,
	"status" text DEFAULT 'active' NOT NULL,
	"hubspot_modified_at" timestamp with time zone,
	"salesforce_modified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "partners_installation_id_key" UNIQUE("installation_id","id"),
	CONSTRAINT "partners_type_check" CHECK ("partners"."type" in ('technology', 'channel', 'strategic', 'content')),
	CONSTRAINT "partners_training_level_check" CHECK ("partners"."training_level" in ('none', 'basic', 'advanced', 'expert')),
	CONSTRAINT "partners_status_check" CHECK ("partners"."status" in ('active', 'inactive'))
);
--> statement-breakpoint
CREATE TABLE "commission_rule_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"rule_id" text NOT NULL,
	"version" integer NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"document" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "commission_rule_versions_rule_version_key" UNIQUE("installation_id","rule_id","version")
);
--> statement-breakpoint
CREATE TABLE "program_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"effective_from" date NOT NULL,
	"document" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "program_versions_installation_version_key" UNIQUE("installation_id","version")
);
--> statement-breakpoint
CREATE TABLE "tier_snapshots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"partner_id" uuid NOT NULL,
	"program_version" integer NOT NULL,
	"as_of" date NOT NULL,
	"tier" text NOT NULL,
	"previous_tier" text,
	"grace_until" date,
	"evaluation" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "id_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"object_kind" text NOT NULL,
	"hubspot_id" text,
	"salesforce_id" text,
	"local_id" uuid,
	"status" text DEFAULT 'linked' NOT NULL,
	"review" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "id_links_object_kind_check" CHECK ("id_links"."object_kind" in ('deal', 'partner', 'customer', 'partner_tag')),
	CONSTRAINT "id_links_status_check" CHECK ("id_links"."status" in ('linked', 'pending_review'))
);
--> statement-breakpoint
CREATE TABLE "sync_checkpoints" (
	"installation_id" uuid NOT NULL,
	"system" text NOT NULL,
	"object_kind" text NOT NULL,
	"cursor" jsonb NOT NULL,
	"stage" text DEFAULT 'idle' NOT NULL,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_checkpoints_pkey" PRIMARY KEY("installation_id","system","object_kind"),
	CONSTRAINT "sync_checkpoints_system_check" CHECK ("sync_checkpoints"."system" in ('hubspot', 'salesforce')),
	CONSTRAINT "sync_checkpoints_object_kind_check" CHECK ("sync_checkpoints"."object_kind" in ('deal', 'partner', 'customer', 'partner_tag')),
	CONSTRAINT "sync_checkpoints_stage_check" CHECK ("sync_checkpoints"."stage" in ('idle', 'running', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "sync_mappings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"document" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "write_shadows" (
	"installation_id" uuid NOT NULL,
	"system" text NOT NULL,
	"object_kind" text NOT NULL,
	"record_id" text NOT NULL,
	"field" text NOT NULL,
	"value_hash" text NOT NULL,
	"value" jsonb,
	"written_at" timestamp with time zone NOT NULL,
	CONSTRAINT "write_shadows_pkey" PRIMARY KEY("installation_id","system","object_kind","record_id","field"),
	CONSTRAINT "write_shadows_system_check" CHECK ("write_shadows"."system" in ('hubspot', 'salesforce')),
	CONSTRAINT "write_shadows_object_kind_check" CHECK ("write_shadows"."object_kind" in ('deal', 'partner', 'customer', 'partner_tag'))
);
--> statement-breakpoint
ALTER TABLE "api_budgets" ADD CONSTRAINT "api_budgets_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_usage" ADD CONSTRAINT "api_usage_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dead_letters" ADD CONSTRAINT "dead_letters_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deals" ADD CONSTRAINT "deals_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_tags" ADD CONSTRAINT "partner_tags_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_tags" ADD CONSTRAINT "partner_tags_deal_fk" FOREIGN KEY ("installation_id","deal_id") REFERENCES "public"."deals"("installation_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_tags" ADD CONSTRAINT "partner_tags_partner_fk" FOREIGN KEY ("installation_id","partner_id") REFERENCES "public"."partners"("installation_id","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_tokens" ADD CONSTRAINT "oauth_tokens_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD CONSTRAINT "ledger_lines_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD CONSTRAINT "ledger_lines_partner_fk" FOREIGN KEY ("installation_id","partner_id") REFERENCES "public"."partners"("installation_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD CONSTRAINT "ledger_lines_deal_fk" FOREIGN KEY ("installation_id","deal_id") REFERENCES "public"."deals"("installation_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD CONSTRAINT "ledger_lines_rule_version_fk" FOREIGN KEY ("installation_id","rule_id","rule_version") REFERENCES "public"."commission_rule_versions"("installation_id","rule_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partners" ADD CONSTRAINT "partners_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_rule_versions" ADD CONSTRAINT "commission_rule_versions_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "program_versions" ADD CONSTRAINT "program_versions_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_snapshots" ADD CONSTRAINT "tier_snapshots_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_snapshots" ADD CONSTRAINT "tier_snapshots_partner_fk" FOREIGN KEY ("installation_id","partner_id") REFERENCES "public"."partners"("installation_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_snapshots" ADD CONSTRAINT "tier_snapshots_program_version_fk" FOREIGN KEY ("installation_id","program_version") REFERENCES "public"."program_versions"("installation_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "id_links" ADD CONSTRAINT "id_links_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_checkpoints" ADD CONSTRAINT "sync_checkpoints_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_mappings" ADD CONSTRAINT "sync_mappings_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "write_shadows" ADD CONSTRAINT "write_shadows_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "audit_log_installation_time_idx" ON "audit_log" USING btree ("installation_id","occurred_at");--> statement-breakpoint
CREATE INDEX "audit_log_object_idx" ON "audit_log" USING btree ("installation_id","object_kind","local_id");--> statement-breakpoint
CREATE INDEX "dead_letters_type_status_idx" ON "dead_letters" USING btree ("installation_id","status","error_type");--> statement-breakpoint
CREATE INDEX "dead_letters_recent_idx" ON "dead_letters" USING btree ("installation_id","last_failed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deals_installation_hubspot_key" ON "deals" USING btree ("installation_id","hubspot_deal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deals_installation_salesforce_key" ON "deals" USING btree ("installation_id","salesforce_opportunity_id");--> statement-breakpoint
CREATE INDEX "deals_installation_stage_close_idx" ON "deals" USING btree ("installation_id","stage_category","close_date");--> statement-breakpoint
CREATE INDEX "deals_installation_customer_hubspot_idx" ON "deals" USING btree ("installation_id","customer_hubspot_company_id");--> statement-breakpoint
CREATE UNIQUE INDEX "partner_tags_live_deal_partner_key" ON "partner_tags" USING btree ("installation_id","deal_id","partner_id") WHERE "partner_tags"."removed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "partner_tags_installation_idempotency_key" ON "partner_tags" USING btree ("installation_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "partner_tags_installation_partner_idx" ON "partner_tags" USING btree ("installation_id","partner_id");--> statement-breakpoint
CREATE INDEX "partner_tags_installation_registration_idx" ON "partner_tags" USING btree ("installation_id","registration_status","registration_expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "installations_hubspot_portal_id_key" ON "installations" USING btree ("hubspot_portal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "installations_salesforce_org_id_key" ON "installations" USING btree ("salesforce_org_id");--> statement-breakpoint
CREATE INDEX "oauth_states_expires_at_idx" ON "oauth_states" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth_tokens_installation_provider_key" ON "oauth_tokens" USING btree ("installation_id","provider");--> statement-breakpoint
CREATE INDEX "ledger_lines_partner_effective_idx" ON "ledger_lines" USING btree ("installation_id","partner_id","effective_on");--> statement-breakpoint
CREATE INDEX "ledger_lines_deal_idx" ON "ledger_lines" USING btree ("installation_id","deal_id");--> statement-breakpoint
CREATE INDEX "ledger_lines_payable_idx" ON "ledger_lines" USING btree ("installation_id","payable_on");--> statement-breakpoint
CREATE UNIQUE INDEX "partners_installation_hubspot_key" ON "partners" USING btree ("installation_id","hubspot_company_id");--> statement-breakpoint
CREATE UNIQUE INDEX "partners_installation_salesforce_key" ON "partners" USING btree ("installation_id","salesforce_account_id");--> statement-breakpoint
CREATE INDEX "partners_installation_tier_idx" ON "partners" USING btree ("installation_id","tier");--> statement-breakpoint
CREATE INDEX "partners_installation_type_idx" ON "partners" USING btree ("installation_id","type");--> statement-breakpoint
CREATE INDEX "commission_rule_versions_installation_effective_idx" ON "commission_rule_versions" USING btree ("installation_id","effective_from");--> statement-breakpoint
CREATE INDEX "program_versions_installation_effective_idx" ON "program_versions" USING btree ("installation_id","effective_from");--> statement-breakpoint
CREATE UNIQUE INDEX "tier_snapshots_partner_as_of_key" ON "tier_snapshots" USING btree ("installation_id","partner_id","as_of");--> statement-breakpoint
CREATE UNIQUE INDEX "id_links_hubspot_key" ON "id_links" USING btree ("installation_id","object_kind","hubspot_id");--> statement-breakpoint
CREATE UNIQUE INDEX "id_links_salesforce_key" ON "id_links" USING btree ("installation_id","object_kind","salesforce_id");--> statement-breakpoint
CREATE INDEX "id_links_local_idx" ON "id_links" USING btree ("installation_id","object_kind","local_id");--> statement-breakpoint
CREATE INDEX "id_links_status_idx" ON "id_links" USING btree ("installation_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_mappings_installation_version_key" ON "sync_mappings" USING btree ("installation_id","version");