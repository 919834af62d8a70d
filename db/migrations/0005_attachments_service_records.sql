CREATE TABLE "question_attachments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"question_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"internal" boolean DEFAULT false NOT NULL,
	"from_asker" boolean NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_path" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_records" (
	"question_id" uuid PRIMARY KEY NOT NULL,
	"symptom" text DEFAULT '' NOT NULL,
	"diagnosis" text DEFAULT '' NOT NULL,
	"arrived_at" timestamp with time zone,
	"departed_at" timestamp with time zone,
	"parts_used" text DEFAULT '' NOT NULL,
	"resolution" text DEFAULT '' NOT NULL,
	"confirmed_by" text DEFAULT '' NOT NULL,
	"confirmed_at" timestamp with time zone,
	"engineer_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "question_attachments" ADD CONSTRAINT "question_attachments_question_id_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."questions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_attachments" ADD CONSTRAINT "question_attachments_event_id_question_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."question_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_records" ADD CONSTRAINT "service_records_question_id_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."questions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_records" ADD CONSTRAINT "service_records_engineer_id_users_id_fk" FOREIGN KEY ("engineer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "question_attachments_question_idx" ON "question_attachments" USING btree ("question_id","created_at");--> statement-breakpoint
CREATE INDEX "question_attachments_event_idx" ON "question_attachments" USING btree ("event_id");