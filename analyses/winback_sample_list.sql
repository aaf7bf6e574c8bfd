-- The win-back test lists (catalog, "Win-back samples"): every member of marts.segment_samples
-- (for each segment of var winback_samples, the deterministic sample of k members) with what a
-- marketer needs to send the test and read it afterwards: the address, name and country, the
-- RFM group, purchases and revenue, days since the last purchase and the last engagement.
-- is_emailable: the member can be sent an email (email consent 'subscribed' and an address);
-- with the default var segments_require_email_consent every member is.
-- The rest of each segment (members not in the sample) is the control group.
with

segment_samples as (
    select * from {{ ref('segment_samples') }}
),

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

final as (
    select
        segment_samples.segment_name,
        segment_samples.profile_id,
        dim_profiles.email,
        dim_profiles.first_name,
        dim_profiles.country,
        dim_profiles.rfm_segment,
        segment_samples.sample_rank,
        segment_samples.sample_size,
        segment_samples.segment_size,
        dim_profiles.purchase_count,
        dim_profiles.total_revenue,
        dim_profiles.days_since_last_purchase,
        dim_profiles.is_email_consented,
        coalesce(dim_profiles.is_email_consented and dim_profiles.email is not null, false) as is_emailable,
        dim_profiles.last_purchase_on,
        dim_profiles.last_engaged_on
    from segment_samples
    inner join dim_profiles
        on segment_samples.profile_id = dim_profiles.profile_id
)

select * from final
