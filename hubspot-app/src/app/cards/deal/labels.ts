import type {
  CommissionStatus,
  RegistrationView,
  SyncStatusView,
  TagView,
} from '../vendor/shared/api/index.ts';

// Words and colours for the contract's closed sets, in one place.

export type Role = TagView['role'];
export type Motion = TagView['motion'];

export const roleOptions: readonly { label: string; value: Role }[] = [
  { label: 'Sourced', value: 'sourced' },
  { label: 'Influenced', value: 'influenced' },
];

export const motionOptions: readonly { label: string; value: Motion }[] = [
  { label: 'Referral', value: 'referral' },
  { label: 'Co-sell', value: 'co_sell' },
  { label: 'White-label', value: 'white_label' },
  { label: 'Enterprise', value: 'enterprise' },
];

export function roleLabel(role: Role): string {
  return roleOptions.find((option) => option.value === role)?.label ?? role;
}

export function motionLabel(motion: Motion): string {
  return motionOptions.find((option) => option.value === motion)?.label ?? motion;
}

type Variant = 'default' | 'success' | 'warning' | 'danger' | 'info';

export function registrationBadge(registration: RegistrationView): {
  label: string;
  variant: Variant;
} {
  if (registration.status === 'approved') return { label: 'Counted', variant: 'success' };
  if (registration.status === 'rejected') return { label: 'Rejected', variant: 'danger' };
  return registration.expired
    ? { label: 'Review expired', variant: 'danger' }
    : { label: 'Pending review', variant: 'warning' };
}

export const commissionStatusBadge: Readonly<
  Record<CommissionStatus, { label: string; variant: Variant }>
> = {
  preview: { label: 'If won', variant: 'info' },
  not_accrued: { label: 'Not accrued', variant: 'default' },
  pending: { label: 'Pending', variant: 'warning' },
  payable: { label: 'Payable', variant: 'info' },
  paid: { label: 'Paid', variant: 'success' },
  lost: { label: 'Lost', variant: 'danger' },
};

export const syncStatusBadge: Readonly<
  Record<SyncStatusView['status'], { label: string; variant: Variant }>
> = {
  synced: { label: 'In sync', variant: 'success' },
  pending: { label: 'Changes waiting', variant: 'warning' },
  error: { label: 'Sync error', variant: 'danger' },
  not_linked: { label: 'Not linked', variant: 'default' },
  not_connected: { label: 'Not connected', variant: 'default' },
};

export const systemLabel: Readonly<Record<SyncStatusView['system'], string>> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
};

/** A percentage typed by the user (two decimals at most) as the contract's exact fraction. */
export function fractionFromPercent(percent: number): string | undefined {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) return undefined;
  const basisPoints = Math.round(percent * 100);
  if (basisPoints === 10_000) return '1';
  if (basisPoints === 0) return '0';
  return `0.${String(basisPoints).padStart(4, '0')}`.replace(/0+$/, '');
}

/** The contract's fraction ("0.125") as a percentage (12.5) for an input; shares have 4 decimals. */
export function percentFromFraction(fraction: string | null): number | undefined {
  return fraction === null ? undefined : Math.round(Number(fraction) * 10_000) / 100;
}
