-- segment_samples follows the catalog ("Win-back samples"), recomputed here independently
-- from the marts: for each segment of var winback_samples, n = its distinct members,
-- k = min(n, max(ceil(share × n), winback_sample_minimum)) (the share read as an exact
-- decimal), and the sample is exactly the k members with the smallest lower-case hex
-- md5(profile_id), ties by profile_id. Fails with one row per wrong size and per profile
-- wrongly in or out of a sample.
{%- set samples = var('winback_samples') %}
with

segment_samples as (
    select * from {{ ref('segment_samples') }}
),

members as (
    {%- for segment_name in samples %}
        select distinct
            '{{ segment_name }}' as segment_name,
            profile_id
        from {{ ref('seg_' ~ segment_name) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

shares as (
    {%- for segment_name, share in samples.items() %}
        select
            '{{ segment_name }}' as segment_name,
            cast('{{ share | string | trim }}' as decimal(18, 9)) as share_of_segment
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

segment_sizes as (
    select
        shares.segment_name,
        shares.share_of_segment,
        count(members.profile_id) as segment_size
    from shares
    left join members
        on shares.segment_name = members.segment_name
    group by shares.segment_name, shares.share_of_segment
),

expected_sizes as (
    select
        segment_name,
        segment_size,
        least(
            segment_size,
            greatest(
                cast(ceil(share_of_segment * segment_size) as {{ dbt.type_bigint() }}),
                {{ var('winback_sample_minimum') }}
            )
        ) as expected_sample_size
    from segment_sizes
),

actual_sizes as (
    select
        segment_name,
        count(*) as sample_rows,
        min(sample_size) as min_sample_size,
        max(sample_size) as max_sample_size,
        min(segment_size) as min_segment_size,
        max(segment_size) as max_segment_size
    from segment_samples
    group by segment_name
),

size_problems as (
    select
        coalesce(expected_sizes.segment_name, actual_sizes.segment_name) as segment_name,
        cast(null as {{ dbt.type_string() }}) as profile_id,
        expected_sizes.segment_size as expected_segment_size,
        expected_sizes.expected_sample_size,
        coalesce(actual_sizes.sample_rows, 0) as sample_rows,
        actual_sizes.max_sample_size as sample_size_column,
        actual_sizes.max_segment_size as segment_size_column,
        case
            when expected_sizes.segment_name is null
                then 'a sample of a segment that var winback_samples does not name'
            when coalesce(actual_sizes.sample_rows, 0) != expected_sizes.expected_sample_size
                then 'the sample does not hold k = min(n, max(ceil(share × n), minimum)) rows'
            when
                actual_sizes.sample_rows > 0
                and (
                    actual_sizes.min_sample_size != expected_sizes.expected_sample_size
                    or actual_sizes.max_sample_size != expected_sizes.expected_sample_size
                )
                then 'column sample_size is not k'
            when
                actual_sizes.sample_rows > 0
                and (
                    actual_sizes.min_segment_size != expected_sizes.segment_size
                    or actual_sizes.max_segment_size != expected_sizes.segment_size
                )
                then 'column segment_size is not the number of members of the mart'
        end as reason
    from expected_sizes
    full outer join actual_sizes
        on expected_sizes.segment_name = actual_sizes.segment_name
),

ranked_members as (
    select
        members.segment_name,
        members.profile_id,
        row_number() over (
            partition by members.segment_name
            order by lower({{ dbt.hash('members.profile_id') }}), members.profile_id
        ) as expected_rank
    from members
),

expected_samples as (
    select
        ranked_members.segment_name,
        ranked_members.profile_id
    from ranked_members
    inner join expected_sizes
        on ranked_members.segment_name = expected_sizes.segment_name
    where ranked_members.expected_rank <= expected_sizes.expected_sample_size
),

member_problems as (
    select
        coalesce(expected_samples.segment_name, segment_samples.segment_name) as segment_name,
        coalesce(expected_samples.profile_id, segment_samples.profile_id) as profile_id,
        cast(null as {{ dbt.type_bigint() }}) as expected_segment_size,
        cast(null as {{ dbt.type_bigint() }}) as expected_sample_size,
        cast(null as {{ dbt.type_bigint() }}) as sample_rows,
        cast(null as {{ dbt.type_bigint() }}) as sample_size_column,
        cast(null as {{ dbt.type_bigint() }}) as segment_size_column,
        case
            when segment_samples.profile_id is null
                then 'among the k smallest md5(profile_id) of the segment but not in the sample'
            else 'in the sample but not among the k smallest md5(profile_id) of the segment'
        end as reason
    from expected_samples
    full outer join segment_samples
        on
            expected_samples.segment_name = segment_samples.segment_name
            and expected_samples.profile_id = segment_samples.profile_id
    where expected_samples.profile_id is null or segment_samples.profile_id is null
),

final as (
    select * from size_problems
    where reason is not null
    union all
    select * from member_problems
)

select * from final
