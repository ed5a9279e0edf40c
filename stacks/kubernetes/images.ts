import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import { APP_SERVICES, type AppService } from "../../config/components";
import { pulumiPath } from "../../config/errors";
import type { StackConfig } from "../../config/schema";
import { DEFAULTS } from "../common";

/** The build context of our three images: the repository's services/ folder. */
const SERVICES_CONTEXT = resolve(__dirname, "..", "..", "services");
/** One Dockerfile for vote, worker and result; the build argument SERVICE picks which. */
const SERVICES_DOCKERFILE = resolve(SERVICES_CONTEXT, "Dockerfile");

/**
 * True when an image repository names a registry host, as Docker reads a reference: the part
 * before the first "/" holds a "." or a ":" or is "localhost" ("registry.example.com/voteobs",
 * "localhost:5001/voteobs"). "voteobs" or "team/voteobs" would mean Docker Hub's namespaces.
 */
export function hasRegistryHost(repository: string): boolean {
  const slash = repository.indexOf("/");
  if (slash < 0) return false;
  const host = repository.slice(0, slash);
  return host.includes(".") || host.includes(":") || host === "localhost";
}

/** How the images of vote, worker and result reach the cluster. */
export type ImagePlan =
  | { kind: "given" }
  | { kind: "build-and-push"; repository: string; tag: string }
  | { kind: "tag"; repository: string; tag: string }
  | { kind: "refuse"; message: string };

/**
 * The decision, from config alone. A registry: build and push with the Docker provider, deploy by
 * digest, so every rebuild rolls out. No registry but a tag of the user's (a commit, after
 * `kind load docker-image`): deploy that tag, a new tag rolls out. No registry and the default tag:
 * refused, since every rebuild would be the same `voteobs/<service>:dev` that nodes already hold
 * (imagePullPolicy IfNotPresent), and `pulumi up` would change nothing.
 */
export function imagePlan(app: StackConfig["app"], given: boolean): ImagePlan {
  if (given) return { kind: "given" };
  const { imageRepository: repository, imageTag: tag } = app;
  if (hasRegistryHost(repository)) return { kind: "build-and-push", repository, tag };
  if (tag !== DEFAULTS.app.imageTag) return { kind: "tag", repository, tag };
  return {
    kind: "refuse",
    message:
      `${pulumiPath(["app", "imageRepository"])}: ${JSON.stringify(repository)} names no registry, and ${pulumiPath(["app", "imageTag"])} is the default ${JSON.stringify(tag)}: ` +
      `every rebuild would be the same ${repository}/<service>:${tag} the nodes already hold, so \`pulumi up\` would never roll it out. ` +
      `Set ${pulumiPath(["app", "imageRepository"])} to a registry the cluster pulls from (e.g. "registry.example.com/voteobs", or "localhost:5001/voteobs" for kind's local registry): ` +
      `\`pulumi up\` then builds services/Dockerfile, pushes each image and deploys it by digest. ` +
      `Or keep the images local and set ${pulumiPath(["app", "imageTag"])} to a tag unique to each build (e.g. the git commit) after loading them into the cluster (\`kind load docker-image\`).`,
  };
}

/**
 * The images the App deploys: the given ones, or built and pushed (`docker.Image` with the
 * registry credentials of `docker login`), referenced by their pushed digest.
 */
export function appImages(
  name: string,
  app: StackConfig["app"],
  given: Partial<Record<AppService, string>> | undefined,
  parent: pulumi.Resource,
): { images: Record<AppService, pulumi.Input<string>>; built: docker.Image[] } {
  const plan = imagePlan(app, given !== undefined && APP_SERVICES.every((s) => given[s] !== undefined));
  switch (plan.kind) {
    case "given":
      return { images: given as Record<AppService, string>, built: [] };
    case "refuse":
      throw new pulumi.ResourceError(plan.message, parent);
    case "tag":
      return { images: Object.fromEntries(APP_SERVICES.map((s) => [s, given?.[s] ?? `${plan.repository}/${s}:${plan.tag}`])) as Record<AppService, string>, built: [] };
    case "build-and-push": {
      const built: docker.Image[] = [];
      const images = {} as Record<AppService, pulumi.Input<string>>;
      for (const service of APP_SERVICES) {
        if (given?.[service] !== undefined) {
          images[service] = given[service];
          continue;
        }
        const image = new docker.Image(
          `${name}-${service}-image`,
          {
            imageName: `${plan.repository}/${service}:${plan.tag}`,
            build: { context: SERVICES_CONTEXT, dockerfile: SERVICES_DOCKERFILE, args: { SERVICE: service } },
            buildOnPreview: false,
          },
          { parent },
        );
        built.push(image);
        images[service] = image.repoDigest;
      }
      return { images, built };
    }
  }
}
