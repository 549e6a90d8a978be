/** The seams of pushing upstream: the targets a feed keeps (with sealed keys) and their results, and the call to the other server. */
import type { Readable } from 'node:stream';
import type { NewEvent } from '../events.ts';
import type { FeedId } from '../../domain/feed.ts';

export interface PushTarget {
  readonly targetId: number;
  readonly feedId: FeedId;
  readonly name: string;
  readonly pushUrl: string;
  readonly createdAt: Date;
}

export interface PushResult {
  readonly idLower: string;
  readonly versionLower: string;
  /** The HTTP status, or undefined when the server could not be reached. */
  readonly status: number | undefined;
  readonly message: string;
  readonly pushedAt: Date;
}

export interface PushTargetStore {
  /** 'name-taken' when the feed has a target of that name. */
  addPushTarget(target: Omit<PushTarget, 'targetId'> & { readonly apiKeySealed: string }, event: NewEvent): Promise<PushTarget | 'name-taken'>;
  removePushTarget(feedId: FeedId, name: string, event: NewEvent): Promise<boolean>;
  pushTargets(feedId: FeedId): Promise<PushTarget[]>;
  /** The target with its sealed key. */
  pushTarget(feedId: FeedId, name: string): Promise<(PushTarget & { readonly apiKeySealed: string }) | undefined>;
  recordPushResult(targetId: number, result: PushResult, event: NewEvent): Promise<void>;
  /** The target's latest results, newest first. */
  pushResults(targetId: number, limit: number): Promise<PushResult[]>;
}

/** Pushes a .nupkg to another NuGet server as `dotnet nuget push` does (a multipart PUT with X-NuGet-ApiKey). */
export interface UpstreamPublisher {
  push(pushUrl: string, apiKey: string, nupkg: Readable, size: number): Promise<{ readonly status: number; readonly reason: string }>;
  /** The push URL (PackagePublish/2.0.0) a server's service index names. */
  discoverPushUrl(serviceIndexUrl: string): Promise<string>;
}
