CREATE TABLE "unit_surveys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"period" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"contact_id" uuid,
	"contact_email" text NOT NULL,
	"token" text NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"reminded_at" timestamp with time zone,
	"responded_at" timestamp with time zone,
	"overall" integer,
	"attitude" integer,
	"business" integer,
	"technical" integer,
	"improve" text,
	"respondent" text
);
--> statement-breakpoint
ALTER TABLE "unit_surveys" ADD CONSTRAINT "unit_surveys_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_surveys" ADD CONSTRAINT "unit_surveys_contact_id_users_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "unit_surveys_period_unit_unique" ON "unit_surveys" USING btree ("period","unit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "unit_surveys_token_unique" ON "unit_surveys" USING btree ("token");--> statement-breakpoint
CREATE INDEX "unit_surveys_sent_idx" ON "unit_surveys" USING btree ("sent_at");