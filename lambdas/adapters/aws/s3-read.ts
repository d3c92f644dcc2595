import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';

const isNoSuchKey = (error: unknown) => error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey';
const isAccessDenied = (error: unknown) => (error as { name?: string }).name === 'AccessDenied' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403;

/**
 * An object's body, or null when there is no such key. S3 answers a missing key with 403 AccessDenied, not 404, to a
 * role that may not list the bucket where the key would be (GetObject, "Permissions"); the functions list only their
 * own prefix, so a 403 is settled by listing the key itself: absent, it is missing; present, the read really was
 * denied and the error stands.
 */
export async function getObjectOrNull(client: S3Client, bucket: string, key: string): Promise<string | null> {
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToString();
  } catch (error) {
    if (isNoSuchKey(error)) return null;
    if (isAccessDenied(error)) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
      if (!(listed.Contents ?? []).some((o) => o.Key === key)) return null;
    }
    throw error;
  }
}
