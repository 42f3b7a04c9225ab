// Pure: limits of the APIs the pool sends values to, each with its source.
/**
 * Limits of the APIs the pool sends values to, each with its source. Plan-time checks and the text the
 * component generates both go through these, so a value the real API would refuse never reaches it.
 */

/**
 * EC2 security group and rule descriptions: at most 255 characters from a-zA-Z0-9, space and
 * `._-:/()#,@[]+=&;{}!$*` (EC2 API reference, CreateSecurityGroup GroupDescription and
 * IpRange.Description; the same set applies to SecurityGroupRule descriptions in a VPC).
 */
export const EC2_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/;

/** Cloudflare DNS record comments: at most 100 characters on Free zones (Cloudflare DNS docs, record attributes). */
export const CLOUDFLARE_COMMENT_MAX = 100;

/** X.509 subject attributes: 64 characters (RFC 5280); shared with the policy pack. */
export { X509_NAME_MAX } from "../../schema/certificate-names";

/**
 * SSM parameter names: letters, digits and `_.-` per level, `/` between levels, at most 1011 characters
 * in all (Systems Manager API reference, PutParameter Name). Pool and stack names become levels.
 */
export const SSM_NAME_LEVEL = /^[a-zA-Z0-9_.-]+$/;
export const SSM_NAME_MAX = 1011;

/** AMI ids: `ami-` and 8 or 17 lower-case hex digits (EC2 resource ids, 2016 longer-id format). */
export const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** EBS snapshot ids: `snap-` and 8 or 17 lower-case hex digits. */
export const SNAPSHOT_ID = /^snap-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** AWS region names: `eu-central-1`, `us-gov-west-1`, `us-iso-east-1` (AWS General Reference, "AWS Regions"). */
export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;
/** Availability zone names: a region name and a zone letter (`eu-central-1a`). */
export const AVAILABILITY_ZONE = /^([a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+)[a-z]$/;
/** EC2 key pair names: up to 255 ASCII characters (EC2 API reference, CreateKeyPair KeyName). */
export const KEY_PAIR_NAME = /^[\x20-\x7e]{1,255}$/;

/**
 * gp3 volume size, GiB: 1–16384 (EBS volume types). The pool asks for at least 20 GiB so a queue of
 * unarchived mail has room; EBS volumes can only grow (ModifyVolume refuses a smaller size).
 */
export const DATA_VOLUME_MIN_GIB = 20;
export const DATA_VOLUME_MAX_GIB = 16384;

/** Data Lifecycle Manager: snapshot intervals in hours (CreateRule Interval), retention 1–1000 (RetainRule Count). */
export const DLM_INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24];
export const DLM_RETAIN_MAX = 1000;
/** DLM CreateRule Times: `hh:mm` UTC. */
export const DLM_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Cloudflare ids are 32 lower-case hex digits; an import id is `<zoneId>/<recordId>`. */
export const CLOUDFLARE_IMPORT_ID = /^[0-9a-f]{32}\/[0-9a-f]{32}$/;

/**
 * Shortens a Cloudflare record comment to {@link CLOUDFLARE_COMMENT_MAX} characters. Harmless: comments
 * are only shown in the dashboard.
 */
export function fitRecordComment(text: string): string {
  return text.length <= CLOUDFLARE_COMMENT_MAX
    ? text
    : `${text.slice(0, CLOUDFLARE_COMMENT_MAX - 3)}...`;
}

/**
 * An EC2 description the API accepts: characters outside the allowed set become `-`, and the text is cut
 * to 255 characters.
 */
export function fitEc2Description(text: string): string {
  return text.replace(/[^a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g, "-").slice(0, 255);
}

/**
 * A tag value AWS accepts by length: at most 256 characters (AWS General Reference, tag naming limits).
 * Used for descriptive values such as a volume's `Name`, where a cut is harmless.
 */
export function fitTagValue(text: string): string {
  return text.length <= 256 ? text : `${text.slice(0, 253)}...`;
}
