with

base_profiles as (
    select * from {{ ref('base_profiles') }}
),

final as (
    select
        profile_id,
        lower(email) as email,
        phone_number,
        first_name,
        email_consent,
        sms_consent,
        upper(country) as country,
        region,
        city,
        gender,
        email_consent = 'subscribed' as is_email_consented,
        sms_consent = 'subscribed' as is_sms_consented,
        birth_date_parsed as birth_date,
        cast(created_at_parsed as date) as created_on,
        created_at_parsed as created_at
    from base_profiles
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final
