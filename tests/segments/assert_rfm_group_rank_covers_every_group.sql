-- personas.rfm_group_rank (seg_rising_stars) ranks exactly the groups of the rfm_segments
-- seed, each once, 1 to 11: a group added to the seed without a rank, or a rank for a group
-- the seed does not have, fails with one row naming it.
with

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

seed_groups as (
    select distinct rfm_segment from rfm_segments
),

ranked_groups as (
    {%- for group in personas.rfm_group_ranks() %}
    select '{{ group }}' as rfm_segment
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        coalesce(seed_groups.rfm_segment, ranked_groups.rfm_segment) as rfm_segment,
        case
            when ranked_groups.rfm_segment is null then 'a group of the seed without a rank'
            when seed_groups.rfm_segment is null then 'a ranked group that the seed does not have'
            else 'ranked, but not in 1 to 11'
        end as problem
    from seed_groups
    full outer join ranked_groups
        on seed_groups.rfm_segment = ranked_groups.rfm_segment
    where
        seed_groups.rfm_segment is null
        or ranked_groups.rfm_segment is null
        or {{ personas.rfm_group_rank('seed_groups.rfm_segment') }} not between 1 and 11
)

select * from final
