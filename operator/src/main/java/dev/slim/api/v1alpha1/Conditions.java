package dev.slim.api.v1alpha1;

/** Condition types and reason constants of a SlimImage: the vocabulary of its status. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String BASE_RESOLVED = "BaseResolved";
  public static final String REBASED = "Rebased";
  public static final String WORKLOADS_UPDATED = "WorkloadsUpdated";
  public static final String STALLED = "Stalled";

  // Reasons when things are fine.
  public static final String UP_TO_DATE = "UpToDate";
  public static final String RESOLVED = "Resolved";
  public static final String REBASE_SUCCEEDED = "RebaseSucceeded";
  public static final String WORKLOADS_PINNED = "WorkloadsPinned";
  public static final String NO_WORKLOADS = "NoWorkloads";
  public static final String UPDATE_POLICY_OFF = "UpdatePolicyOff";
  public static final String SUSPENDED = "Suspended";
  public static final String NOT_STALLED = "NotStalled";
  public static final String PROGRESSING = "Progressing";

  // Reasons when a retry may help (Ready=False, retried with backoff).
  public static final String REGISTRY_UNREACHABLE = "RegistryUnreachable";
  public static final String API_ERROR = "ApiError";
  public static final String RECONCILE_ERROR = "ReconcileError";

  // Reasons when a human must act (Stalled=True).
  public static final String INVALID_REFERENCE = "InvalidReference";
  public static final String TARGET_IS_APP = "TargetIsApp";
  public static final String SECRET_MISSING = "SecretMissing";
  public static final String SECRET_INVALID = "SecretInvalid";
  public static final String BASE_NOT_FOUND = "BaseNotFound";
  public static final String APP_NOT_FOUND = "AppNotFound";
  public static final String REGISTRY_UNAUTHORIZED = "RegistryUnauthorized";
  public static final String REGISTRY_REJECTED = "RegistryRejected";
  public static final String IMAGE_NOT_FOUND = "ImageNotFound";
  public static final String PATCH_FORBIDDEN = "PatchForbidden";
  // Rebase refusals reuse the engine's constants (RebaseException.reason()): OldBaseUnknown,
  // NotBasedOnOldBase, PlatformMismatch, PlatformMissing, InvalidImage, PackageDatabaseOverwritten.

  private Conditions() {}
}
