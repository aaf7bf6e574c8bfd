-- Every raw row of raw_profiles that cannot be staged, as it was read (trimmed text), with the
-- reason and the column that failed. Copies of an exact duplicate are collapsed, not kept here.
with

base_profiles as (
    select * from {{ ref('base_profiles') }}
),

final as (
    select
        profile_id,
        email,
        phone_number,
        first_name,
        created_at,
        email_consent,
        sms_consent,
        country,
        region,
        city,
        birth_date,
        gender,
        quarantine_reason,
        quarantine_column
    from base_profiles
    where not is_collapsed_duplicate and quarantine_reason is not null
)

select * from final
