/**
 * Bounds the validator applies. Microsoft documents none of them exactly; they are chosen to catch broken input
 * without rejecting real devices, and documented in the README.
 */

/** Serial numbers come from SMBIOS and are short; 128 leaves room for odd OEMs. */
export const SERIAL_NUMBER_MAX_LENGTH = 128;

/** Older devices have 128-byte hashes: allow half that before calling a hash truncated. */
export const HARDWARE_HASH_MIN_BYTES = 64;

/** Modern hashes decode to about 3–4 KB: four times that is certainly not a hash. */
export const HARDWARE_HASH_MAX_BYTES = 16 * 1024;

/** Group tags are short labels (order IDs, sites); 128 characters is far beyond any real one. */
export const GROUP_TAG_MAX_LENGTH = 128;

/** Microsoft Entra limits a user principal name to 113 characters: 64 before the @, 48 after. */
export const UPN_MAX_LENGTH = 113;
export const UPN_LOCAL_MAX_LENGTH = 64;
export const UPN_DOMAIN_MAX_LENGTH = 48;

/** An Autopilot device name becomes the NetBIOS computer name: Intune allows 15 characters. */
export const DISPLAY_NAME_MAX_LENGTH = 15;
