-- The four recent-buyer personas split the recent buyers (catalog, purchase personas: recent ∧
-- frequent? ∧ high-value?): no profile is in two of them, and every recent buyer is in one,
-- namely every consented recent buyer while var segments_require_email_consent is true,
-- every recent buyer when it is false. Fails with one row per offending (profile, problem).
with

seg_biggest_fans as (
    select profile_id from {{ ref('seg_biggest_fans') }}
),

seg_brand_fans as (
    select profile_id from {{ ref('seg_brand_fans') }}
),

seg_potential_fans as (
    select profile_id from {{ ref('seg_potential_fans') }}
),

seg_potential_brand_lovers as (
    select profile_id from {{ ref('seg_potential_brand_lovers') }}
),

dim_profiles as (
    select * from {{ ref('dim_profiles') }}
),

persona_members as (
    select
        'biggest_fans' as persona,
        profile_id
    from seg_biggest_fans
    union all
    select
        'brand_fans' as persona,
        profile_id
    from seg_brand_fans
    union all
    select
        'potential_fans' as persona,
        profile_id
    from seg_potential_fans
    union all
    select
        'potential_brand_lovers' as persona,
        profile_id
    from seg_potential_brand_lovers
),

expected_members as (
    select profile_id
    from dim_profiles
    where
        is_recent_buyer
        {%- if var('segments_require_email_consent') %}
            and is_email_consented
        {%- endif %}
),

in_two_personas as (
    select
        first_persona.profile_id,
        first_persona.persona,
        second_persona.persona as other_persona,
        'in two recent-buyer personas at once' as reason
    from persona_members as first_persona
    inner join persona_members as second_persona
        on
            first_persona.profile_id = second_persona.profile_id
            and first_persona.persona < second_persona.persona
),

in_no_persona as (
    select
        expected_members.profile_id,
        cast(null as {{ dbt.type_string() }}) as persona,
        cast(null as {{ dbt.type_string() }}) as other_persona,
        {%- if var('segments_require_email_consent') %}
            'a consented recent buyer in none of the four recent-buyer personas' as reason
        {%- else %}
        'a recent buyer in none of the four recent-buyer personas' as reason
        {%- endif %}
    from expected_members
    left join persona_members
        on expected_members.profile_id = persona_members.profile_id
    where persona_members.profile_id is null
),

not_expected as (
    select
        persona_members.profile_id,
        persona_members.persona,
        cast(null as {{ dbt.type_string() }}) as other_persona,
        {%- if var('segments_require_email_consent') %}
            'in a recent-buyer persona but not a consented recent buyer' as reason
        {%- else %}
        'in a recent-buyer persona but not a recent buyer' as reason
        {%- endif %}
    from persona_members
    left join expected_members
        on persona_members.profile_id = expected_members.profile_id
    where expected_members.profile_id is null
),

final as (
    select * from in_two_personas
    union all
    select * from in_no_persona
    union all
    select * from not_expected
)

select * from final
