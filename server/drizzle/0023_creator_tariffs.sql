CREATE TABLE "creator_tariffs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"call_kind" text NOT NULL,
	"version" integer NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"caller" jsonb NOT NULL,
	"streamer" jsonb NOT NULL,
	"agency_share_bp" integer NOT NULL,
	"note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "creator_tariffs_agency_share" CHECK ("creator_tariffs"."agency_share_bp" >= 0 AND "creator_tariffs"."agency_share_bp" <= 10000)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "creator_tariffs_version_key" ON "creator_tariffs" USING btree ("call_kind","version");--> statement-breakpoint
CREATE INDEX "creator_tariffs_in_force_idx" ON "creator_tariffs" USING btree ("call_kind","effective_from" DESC NULLS LAST);