/**
 * The contract between synth (the constructs) and apply (the engine run by the handler, or by `planetscale-cdktf`):
 * variable names, file names, limits and patterns. Both sides import them from here, so they cannot disagree.
 */

/** The desired-state file, written beside the synthesized stack (cdktf.out/stacks/<stack>/). */
export const DESIRED_STATE_FILE = 'planetscale-desired-state.json';

/** What Terraform hands the handler, as JSON: the reconciler's run description (apply), or the destroyer's stack identity (destroy). */
export const RUN_VARIABLE = 'PLANETSCALE_CDKTF_RUN';
/** Overrides the outputs file at apply time. */
export const OUTPUTS_VARIABLE = 'PLANETSCALE_OUTPUTS_FILE';

/**
 * The CA bundle that connection strings needing a file name (Rails, Laravel, SQLAlchemy, libpq's sslrootcert…) point
 * at, read at apply time: the system bundle of the machine the application runs on. The emulator's `--databases`
 * sets it to its own CA.
 */
export const CA_BUNDLE_VARIABLE = 'PLANETSCALE_CA_BUNDLE';
/** Debian, Ubuntu and Alpine's system CA bundle (Red Hat: /etc/pki/tls/certs/ca-bundle.crt; macOS: /etc/ssl/cert.pem). */
export const DEFAULT_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The default outputs file, beside cdktf.json. */
/** PlanetScale's MySQL port, in every MySQL connection string (and where the emulator's local MariaDB listens). */
export const MYSQL_PORT = 3306;

/** PlanetScale Postgres's direct port, in every Postgres connection string (and where the local PostgreSQL listens). */
export const POSTGRES_PORT = 5432;

export const DEFAULT_OUTPUTS_FILE = 'planetscale-outputs.json';

/** Longest TTL accepted: one year. */
export const MAX_TTL_SECONDS = 365 * 24 * 3600;
/** Longest construct path accepted: it keys the outputs file and appears in every message. */
export const MAX_PATH_LENGTH = 1024;
/** Longest description of a Postgres IP rule (the rest of the API's 255 holds the ownership tag). */
export const MAX_RULE_DESCRIPTION = 100;
/** Most CIDRs in one allow-list. */
export const MAX_CIDRS = 512;

/** PlanetScale organization, database and branch names. */
export const RESOURCE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** The display part of a managed name: what a person sees in the PlanetScale UI. */
export const DISPLAY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
/** The ownership key of a stack. */
export const OWNER_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** A rotation label: changing it issues a new credential. */
export const ROTATION_PATTERN = /^[A-Za-z0-9._:-]{0,64}$/;
/** A PostgreSQL identifier (schema, role), or empty for "all". */
export const POSTGRES_IDENTIFIER_PATTERN = /^([A-Za-z_][A-Za-z0-9_$]{0,62})?$/;
/**
 * A Postgres role named as successor: a role id or username (with or without the `.<branch id>` suffix), as the
 * delete_role route accepts it.
 */
export const SUCCESSOR_PATTERN = /^[A-Za-z_][A-Za-z0-9_$.]{0,127}$/;
/** Service token access names. */
export const ACCESS_NAME_PATTERN = /^[a-z_]{1,64}$/;
