CREATE TABLE `model_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`version` integer NOT NULL,
	`kind` text NOT NULL,
	`labels` text NOT NULL,
	`multi_label` integer NOT NULL,
	`input` text NOT NULL,
	`config` text NOT NULL,
	`artifact` blob,
	`artifact_hash` text,
	`hyper_params` text,
	`seed` integer,
	`training_run_id` integer,
	`training_snapshot` text,
	`training_report` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_versions_project_version_uq` ON `model_versions` (`project_id`,`version`);--> statement-breakpoint
CREATE TABLE `predictions` (
	`scoring_run_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`label` integer NOT NULL,
	`max_prob` real NOT NULL,
	`margin` real NOT NULL,
	`entropy` real NOT NULL,
	`probs` blob NOT NULL,
	PRIMARY KEY(`scoring_run_id`, `item_id`),
	FOREIGN KEY (`scoring_run_id`) REFERENCES `scoring_runs`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `scoring_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`model_version_id` integer NOT NULL,
	`job_id` integer,
	`status` text NOT NULL,
	`item_count` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `scoring_runs_project_idx` ON `scoring_runs` (`project_id`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `training_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`job_id` integer,
	`status` text NOT NULL,
	`kind` text NOT NULL,
	`params` text NOT NULL,
	`model_version_id` integer,
	`error` text,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `training_runs_project_idx` ON `training_runs` (`project_id`,`id`);