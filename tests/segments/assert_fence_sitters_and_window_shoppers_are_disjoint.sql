-- Fence sitters (at least frequent_engagement_count recent engagements) and window shoppers
-- (fewer) never overlap (catalog, engagement personas). Fails with one row per profile in both.
with

seg_fence_sitters as (
    select profile_id from {{ ref('seg_fence_sitters') }}
),

seg_window_shoppers as (
    select profile_id from {{ ref('seg_window_shoppers') }}
),

final as (
    select
        seg_fence_sitters.profile_id,
        'in both seg_fence_sitters and seg_window_shoppers' as reason
    from seg_fence_sitters
    inner join seg_window_shoppers
        on seg_fence_sitters.profile_id = seg_window_shoppers.profile_id
)

select * from final
