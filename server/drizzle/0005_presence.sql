CREATE TABLE "member_connections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"person_id" uuid NOT NULL,
	"last_beat_at" timestamp with time zone NOT NULL,
	"opened_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_devices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"person_id" uuid NOT NULL,
	"platform" text NOT NULL,
	"push_token" text,
	"app_version" text,
	"name" text,
	"last_seen_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_presence" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"online" boolean NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "member_connections_person_idx" ON "member_connections" USING btree ("person_id","last_beat_at");--> statement-breakpoint
CREATE INDEX "member_devices_person_idx" ON "member_devices" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "member_devices_push_token_key" ON "member_devices" USING btree ("push_token");