-- The engaged segments grow with their window and share the 15-day grace (catalog, engagement
-- and list hygiene): engaged_30d ⊆ engaged_60d ⊆ engaged_90d. Fails with one row per profile
-- in a shorter window's segment but not in the longer one's.
with

seg_engaged_30d as (
    select profile_id from {{ ref('seg_engaged_30d') }}
),

seg_engaged_60d as (
    select profile_id from {{ ref('seg_engaged_60d') }}
),

seg_engaged_90d as (
    select profile_id from {{ ref('seg_engaged_90d') }}
),

missing_from_60d as (
    select
        seg_engaged_30d.profile_id,
        'in seg_engaged_30d but not in seg_engaged_60d' as reason
    from seg_engaged_30d
    left join seg_engaged_60d
        on seg_engaged_30d.profile_id = seg_engaged_60d.profile_id
    where seg_engaged_60d.profile_id is null
),

missing_from_90d as (
    select
        seg_engaged_60d.profile_id,
        'in seg_engaged_60d but not in seg_engaged_90d' as reason
    from seg_engaged_60d
    left join seg_engaged_90d
        on seg_engaged_60d.profile_id = seg_engaged_90d.profile_id
    where seg_engaged_90d.profile_id is null
),

final as (
    select * from missing_from_60d
    union all
    select * from missing_from_90d
)

select * from final
