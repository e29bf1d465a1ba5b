ALTER TABLE "id_links" ADD COLUMN "hubspot_modified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "id_links" ADD COLUMN "salesforce_modified_at" timestamp with time zone;