-- The rfm_segments seed maps each of the 125 RFM codes 111..555 (three digits, each 1 to 5)
-- exactly once, so every profile of the RFM population gets an rfm_segment. Fails with one
-- row per code that is missing, unexpected or listed more than once.
with

rfm_segments as (
    select * from {{ ref('rfm_segments') }}
),

digits as (
    select '1' as digit
    union all
    select '2' as digit
    union all
    select '3' as digit
    union all
    select '4' as digit
    union all
    select '5' as digit
),

expected_codes as (
    select
        {{ dbt.concat(['recency.digit', 'frequency.digit', 'monetary.digit']) }} as rfm_code
    from digits as recency
    cross join digits as frequency
    cross join digits as monetary
),

seed_codes as (
    select
        rfm_code,
        count(*) as occurrences
    from rfm_segments
    group by rfm_code
),

compared as (
    select
        coalesce(expected_codes.rfm_code, seed_codes.rfm_code) as rfm_code,
        coalesce(seed_codes.occurrences, 0) as occurrences,
        case
            when seed_codes.rfm_code is null then 'missing from the seed'
            when expected_codes.rfm_code is null then 'not a code 111..555'
            when seed_codes.occurrences > 1 then 'listed more than once'
        end as problem
    from expected_codes
    full outer join seed_codes
        on expected_codes.rfm_code = seed_codes.rfm_code
),

final as (
    select * from compared
    where problem is not null
)

select * from final
