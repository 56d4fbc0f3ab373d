import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import type { S3Config } from '../../config/app-config.js';
import { attachmentDisposition } from '../content-disposition.js';
import { assertObjectKey } from './object-keys.js';
import { StorageDriver, type PresignOptions, type PutOptions } from './storage-driver.js';

// S3's minimum part size: a larger body goes up as a multipart upload, holding at most
// QUEUE_SIZE parts in memory at once.
export const S3_PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;

// AWS S3, MinIO, R2 and other S3-compatible stores through the official SDK.
export class S3StorageDriver extends StorageDriver {
  readonly name = 's3' as const;
  readonly client: S3Client;
  private readonly bucket: string;

  constructor(config: S3Config) {
    super();
    this.bucket = config.bucket;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      // Checksums only where S3 demands them: the default wraps streamed bodies in aws-chunked
      // framing, which several S3-compatible stores save verbatim (a corrupted object).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Readable, options: PutOptions): Promise<{ bytes: number }> {
    assertObjectKey(key);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: options.contentType },
      partSize: S3_PART_SIZE,
      queueSize: QUEUE_SIZE,
      // A failed multipart upload is aborted, so no parts linger (and cost) in the bucket.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      // An error from the body (limit, type, abort) is the one the caller needs to see.
      throw body.errored ?? err;
    }
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    return { bytes: head.ContentLength ?? 0 };
  }

  async get(key: string): Promise<Readable> {
    assertObjectKey(key);
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!(res.Body instanceof Readable)) throw new Error('S3 returned no body stream');
    return res.Body;
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  override async presignGet(key: string, options: PresignOptions): Promise<string> {
    assertObjectKey(key);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentType: options.contentType,
      ResponseContentDisposition: attachmentDisposition(options.filename),
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresIn });
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  destroy(): void {
    this.client.destroy();
  }
}
