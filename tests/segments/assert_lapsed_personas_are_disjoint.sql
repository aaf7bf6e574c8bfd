-- The lapsed personas (catalog, purchase personas) never overlap: former biggest fans
-- (frequent ∧ high-value), former brand fans (frequent ∧ not high-value) and flash in the pan
-- (not frequent ∧ high-value) differ on the flags. Drive-by shoppers (not frequent ∧ not
-- high-value, last purchase 6 to 13 months ago) are checked too: by the same flags they can
-- be in none of the three. Fails with one row per profile and pair of personas.
with

seg_former_biggest_fans as (
    select profile_id from {{ ref('seg_former_biggest_fans') }}
),

seg_former_brand_fans as (
    select profile_id from {{ ref('seg_former_brand_fans') }}
),

seg_flash_in_the_pan as (
    select profile_id from {{ ref('seg_flash_in_the_pan') }}
),

seg_drive_by_shoppers as (
    select profile_id from {{ ref('seg_drive_by_shoppers') }}
),

persona_members as (
    select
        'former_biggest_fans' as persona,
        profile_id
    from seg_former_biggest_fans
    union all
    select
        'former_brand_fans' as persona,
        profile_id
    from seg_former_brand_fans
    union all
    select
        'flash_in_the_pan' as persona,
        profile_id
    from seg_flash_in_the_pan
    union all
    select
        'drive_by_shoppers' as persona,
        profile_id
    from seg_drive_by_shoppers
),

final as (
    select
        first_persona.profile_id,
        first_persona.persona,
        second_persona.persona as other_persona,
        'in two lapsed personas at once' as reason
    from persona_members as first_persona
    inner join persona_members as second_persona
        on
            first_persona.profile_id = second_persona.profile_id
            and first_persona.persona < second_persona.persona
)

select * from final
