CREATE TABLE "installation_users" (
	"installation_id" uuid NOT NULL,
	"hubspot_user_id" text NOT NULL,
	"role" text NOT NULL,
	"added_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_users_pkey" PRIMARY KEY("installation_id","hubspot_user_id"),
	CONSTRAINT "installation_users_role_check" CHECK ("installation_users"."role" in ('admin', 'partner_manager'))
);
--> statement-breakpoint
CREATE TABLE "ledger_exports" (
	"installation_id" uuid NOT NULL,
	"export_id" text NOT NULL,
	"paid_on" date NOT NULL,
	"created_by" text NOT NULL,
	"note" text,
	"line_count" integer NOT NULL,
	"total_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"totals" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_exports_pkey" PRIMARY KEY("installation_id","export_id"),
	CONSTRAINT "ledger_exports_currency_check" CHECK ("ledger_exports"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "ledger_payments" (
	"installation_id" uuid NOT NULL,
	"line_id" text NOT NULL,
	"export_id" text NOT NULL,
	"paid_on" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_payments_pkey" PRIMARY KEY("installation_id","line_id")
);
--> statement-breakpoint
CREATE TABLE "commission_rule_retirements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"rule_id" text NOT NULL,
	"effective_to" date NOT NULL,
	"created_by" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fx_rates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" uuid NOT NULL,
	"base" text NOT NULL,
	"quote" text NOT NULL,
	"rate_on" date NOT NULL,
	"rate" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fx_rates_base_check" CHECK ("fx_rates"."base" ~ '^[A-Z]{3}$'),
	CONSTRAINT "fx_rates_quote_check" CHECK ("fx_rates"."quote" ~ '^[A-Z]{3}$'),
	CONSTRAINT "fx_rates_rate_check" CHECK ("fx_rates"."rate" ~ '^(0|[1-9][0-9]*)([.][0-9]+)?$')
);
--> statement-breakpoint
ALTER TABLE "installations" ADD COLUMN "hubspot_installer_user_id" text;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD COLUMN "period" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD COLUMN "periods" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD COLUMN "clawback_until" date;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD COLUMN "base_minor" bigint;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD COLUMN "base_currency" text;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD COLUMN "rate" text;--> statement-breakpoint
ALTER TABLE "ledger_lines" ADD COLUMN "fx" jsonb;--> statement-breakpoint
ALTER TABLE "installation_users" ADD CONSTRAINT "installation_users_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_exports" ADD CONSTRAINT "ledger_exports_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_payments" ADD CONSTRAINT "ledger_payments_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_payments" ADD CONSTRAINT "ledger_payments_line_fk" FOREIGN KEY ("installation_id","line_id") REFERENCES "public"."ledger_lines"("installation_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_payments" ADD CONSTRAINT "ledger_payments_export_fk" FOREIGN KEY ("installation_id","export_id") REFERENCES "public"."ledger_exports"("installation_id","export_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_rule_retirements" ADD CONSTRAINT "commission_rule_retirements_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fx_rates" ADD CONSTRAINT "fx_rates_installation_id_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_payments_export_idx" ON "ledger_payments" USING btree ("installation_id","export_id");--> statement-breakpoint
CREATE INDEX "commission_rule_retirements_rule_idx" ON "commission_rule_retirements" USING btree ("installation_id","rule_id");--> statement-breakpoint
CREATE UNIQUE INDEX "fx_rates_installation_pair_day_key" ON "fx_rates" USING btree ("installation_id","base","quote","rate_on");--> statement-breakpoint
CREATE INDEX "partners_installation_name_idx" ON "partners" USING btree ("installation_id","name","id");--> statement-breakpoint
-- Retirements, FX quotes, exports and payments are append-only like the versions and the ledger.
CREATE TRIGGER "commission_rule_retirements_append_only" BEFORE UPDATE OR DELETE ON "commission_rule_retirements"
  FOR EACH ROW EXECUTE FUNCTION "pb_reject_mutation"();
--> statement-breakpoint
CREATE TRIGGER "fx_rates_append_only" BEFORE UPDATE OR DELETE ON "fx_rates"
  FOR EACH ROW EXECUTE FUNCTION "pb_reject_mutation"();
--> statement-breakpoint
CREATE TRIGGER "ledger_exports_append_only" BEFORE UPDATE OR DELETE ON "ledger_exports"
  FOR EACH ROW EXECUTE FUNCTION "pb_reject_mutation"();
--> statement-breakpoint
CREATE TRIGGER "ledger_payments_append_only" BEFORE UPDATE OR DELETE ON "ledger_payments"
  FOR EACH ROW EXECUTE FUNCTION "pb_reject_mutation"();
