/** The Docker host or Kubernetes nodes, as node-exporter sees them (hostCpuBusy and hostMemoryUsed are in resources.ts). */

export function hostLoad1(): string {
  return "max by (instance) (node_load1)";
}

/** Share of the fullest real filesystem in use, per host. */
export function hostFilesystemUsed(): string {
  const fs = '{fstype!~"tmpfs|overlay|squashfs|nsfs"}';
  return `max by (instance) (1 - node_filesystem_avail_bytes${fs} / node_filesystem_size_bytes${fs})`;
}
