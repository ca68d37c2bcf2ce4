import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { JobStatus } from '@aim/contracts';

/**
 * A job: the fields the engine queries by, the job itself as JSON text (`doc`: keys of any shape, as
 * the SQLite store keeps it), and its lease. `needsHolder` is kept with every write: unfinished, or a
 * webhook still to deliver, which is what replicas claim.
 */
@Schema({ collection: 'jobs', versionKey: false })
export class JobRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, default: null }) owner!: string | null;
  @Prop({ type: String, required: true }) pipelineId!: string;
  @Prop({ type: String, required: true }) status!: JobStatus;
  @Prop({ type: String, required: true }) createdAt!: string;
  @Prop({ type: String, required: true }) updatedAt!: string;
  @Prop({ type: String, default: null }) finishedAt!: string | null;
  @Prop({ type: String }) idempotencyKey?: string;
  @Prop({ type: String, default: null }) webhookStatus!: string | null;
  @Prop({ type: Boolean, required: true }) needsHolder!: boolean;
  @Prop({ type: String, required: true }) doc!: string;
  @Prop({ type: String, default: null }) leaseOwner!: string | null;
  @Prop({ type: Number, default: 0 }) leaseToken!: number;
  /** Epoch ms; 0: nobody holds the job. */
  @Prop({ type: Number, default: 0 }) leaseExpiresAt!: number;
  @Prop({ type: Boolean, default: false }) cancelRequested!: boolean;
  /** A backstop for retention (the engine's sweeper deletes finished jobs itself): set when the job finishes. */
  @Prop({ type: Date, default: null }) expireAt!: Date | null;
}

export const JobRecordSchema = SchemaFactory.createForClass(JobRecord);
// One index per query the engine makes.
JobRecordSchema.index({ idempotencyKey: 1 }, { unique: true, partialFilterExpression: { idempotencyKey: { $type: 'string' } } });
JobRecordSchema.index({ createdAt: -1, _id: -1 }); // the jobs list, newest first
JobRecordSchema.index({ owner: 1, createdAt: -1 }); // a caller's own jobs
JobRecordSchema.index({ status: 1, createdAt: -1 }); // by status; unfinished jobs; counts
JobRecordSchema.index({ pipelineId: 1, createdAt: -1 }); // by pipeline
JobRecordSchema.index({ finishedAt: 1 }, { partialFilterExpression: { finishedAt: { $type: 'string' } } }); // retention
JobRecordSchema.index({ needsHolder: 1, leaseExpiresAt: 1, createdAt: 1 }, { partialFilterExpression: { needsHolder: true } }); // claims
JobRecordSchema.index({ expireAt: 1 }, { expireAfterSeconds: 0 }); // TTL

/** One event of a job, unique by (jobId, seq). */
@Schema({ collection: 'job_events', versionKey: false })
export class JobEventRecord {
  @Prop({ type: String, required: true }) jobId!: string;
  @Prop({ type: Number, required: true }) seq!: number;
  @Prop({ type: String, required: true }) doc!: string;
  @Prop({ type: Date, default: null }) expireAt!: Date | null;
}

export const JobEventRecordSchema = SchemaFactory.createForClass(JobEventRecord);
JobEventRecordSchema.index({ jobId: 1, seq: 1 }, { unique: true });
JobEventRecordSchema.index({ expireAt: 1 }, { expireAfterSeconds: 0 });

@Schema({ collection: 'pipelines', versionKey: false })
export class PipelineRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: Boolean, required: true }) builtIn!: boolean;
  @Prop({ type: String, required: true }) createdAt!: string;
  @Prop({ type: String, required: true }) updatedAt!: string;
  @Prop({ type: String, required: true }) doc!: string;
}

export const PipelineRecordSchema = SchemaFactory.createForClass(PipelineRecord);

export const MONGO_MODELS = [
  { name: JobRecord.name, schema: JobRecordSchema },
  { name: JobEventRecord.name, schema: JobEventRecordSchema },
  { name: PipelineRecord.name, schema: PipelineRecordSchema },
];
