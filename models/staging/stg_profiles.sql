-- The staged profiles: every contract column of raw_profiles, typed (declared in
-- models/staging/_raw__sources.yml; a column added there appears here), plus what segments
-- read often.
with

base_profiles as (
    select * from {{ ref('base_profiles') }}
),

final as (
    select
        {{- personas.contract_columns('raw_profiles', typed=true, trailing=true, overrides={
            'email': 'lower(email)',
            'country': 'upper(country)',
        }) }}
        email_consent = 'subscribed' as is_email_consented,
        sms_consent = 'subscribed' as is_sms_consented,
        cast(created_at_parsed as date) as created_on
    from base_profiles
    where not is_collapsed_duplicate and quarantine_reason is null
)

select * from final
