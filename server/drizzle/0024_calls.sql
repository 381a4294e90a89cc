CREATE TABLE "call_points" (
	"call_id" uuid NOT NULL,
	"index" integer NOT NULL,
	"at_second" integer NOT NULL,
	"caller" integer NOT NULL,
	"streamer" integer NOT NULL,
	"agency" integer NOT NULL,
	"platform" integer NOT NULL,
	"transfer_ids" jsonb NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"billed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "call_points_call_id_index_pk" PRIMARY KEY("call_id","index")
);
--> statement-breakpoint
CREATE TABLE "call_provider_failures" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "call_provider_failures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"provider" text NOT NULL,
	"call_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "calls" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"caller_id" uuid NOT NULL,
	"streamer_id" uuid NOT NULL,
	"agency_id" uuid,
	"state" text NOT NULL,
	"end_reason" text,
	"event_id" bigint,
	"tariff_id" uuid,
	"requested_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"caller_joined_at" timestamp with time zone,
	"streamer_joined_at" timestamp with time zone,
	"connected_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"caller_beat_at" timestamp with time zone,
	"streamer_beat_at" timestamp with time zone,
	"next_point_index" integer,
	"next_point_at" timestamp with time zone,
	"low_balance_warn_at" timestamp with time zone,
	"low_balance_warned_at" timestamp with time zone,
	"cost" bigint DEFAULT 0 NOT NULL,
	"earned" bigint DEFAULT 0 NOT NULL,
	"conversation_id" uuid,
	"provider" text,
	"failed_providers" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "call_points" ADD CONSTRAINT "call_points_call_id_calls_id_fk" FOREIGN KEY ("call_id") REFERENCES "public"."calls"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "call_provider_failures_recent_idx" ON "call_provider_failures" USING btree ("provider","at");--> statement-breakpoint
CREATE INDEX "calls_due_idx" ON "calls" USING btree ("next_point_at") WHERE "calls"."state" = 'connected';--> statement-breakpoint
CREATE INDEX "calls_warn_idx" ON "calls" USING btree ("low_balance_warn_at") WHERE "calls"."state" = 'connected' AND "calls"."low_balance_warned_at" IS NULL;--> statement-breakpoint
CREATE INDEX "calls_open_idx" ON "calls" USING btree ("requested_at") WHERE "calls"."state" IN ('requested', 'accepted', 'connected');--> statement-breakpoint
CREATE INDEX "calls_caller_idx" ON "calls" USING btree ("caller_id","requested_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "calls_streamer_idx" ON "calls" USING btree ("streamer_id","requested_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "calls_requested_idx" ON "calls" USING btree ("requested_at" DESC NULLS LAST,"id" DESC NULLS LAST);