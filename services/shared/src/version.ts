/** Reported as voteobs_build_info{version}; a test keeps it equal to services/package.json. */
export const SERVICE_VERSION = "0.1.0";
