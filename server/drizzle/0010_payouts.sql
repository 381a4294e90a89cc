CREATE TABLE "payout_applications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_type" text NOT NULL,
	"owner_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"fee_rule" jsonb NOT NULL,
	"state" text NOT NULL,
	"origin" text NOT NULL,
	"note" text,
	"hold_id" uuid NOT NULL,
	"requested_by_type" text NOT NULL,
	"requested_by_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"approved_by" text,
	"approved_at" timestamp with time zone,
	"paid_by" text,
	"paid_at" timestamp with time zone,
	"payment_reference" text,
	"payout_transfer_id" uuid,
	"fee_transfer_id" uuid,
	"rejected_by" text,
	"rejected_at" timestamp with time zone,
	"rejection_reason" text,
	"cancelled_by_type" text,
	"cancelled_by_id" text,
	"cancelled_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payout_applications_amount_positive" CHECK ("payout_applications"."amount" > 0),
	CONSTRAINT "payout_applications_fee_below_amount" CHECK ("payout_applications"."fee" >= 0 AND "payout_applications"."fee" < "payout_applications"."amount")
);
--> statement-breakpoint
CREATE TABLE "payout_fee_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_type" text,
	"owner_id" uuid,
	"currency" text NOT NULL,
	"percent_bp" integer NOT NULL,
	"fixed" bigint NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payout_fee_rules_owner_currency" UNIQUE NULLS NOT DISTINCT("owner_type","owner_id","currency"),
	CONSTRAINT "payout_fee_rules_percent" CHECK ("payout_fee_rules"."percent_bp" BETWEEN 0 AND 10000),
	CONSTRAINT "payout_fee_rules_fixed" CHECK ("payout_fee_rules"."fixed" >= 0)
);
--> statement-breakpoint
CREATE INDEX "payout_applications_list_idx" ON "payout_applications" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "payout_applications_state_idx" ON "payout_applications" USING btree ("state","created_at","id");--> statement-breakpoint
CREATE INDEX "payout_applications_owner_idx" ON "payout_applications" USING btree ("owner_type","owner_id","created_at");