-- One row per (segment_name, profile_id) over every segment mart listed in
-- personas.segment_models(); segment_name is the mart's name without 'seg_'.
-- seg_category_repeat_buyers has a row per category: a member counts once here.
with

{% for segment in personas.segment_models() %}
{{ segment }} as (
    select distinct profile_id from {{ ref(segment) }}
),
{% endfor %}

memberships as (
    {%- for segment in personas.segment_models() %}
    select
        '{{ segment[4:] }}' as segment_name,
        profile_id
    from {{ segment }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        segment_name,
        profile_id
    from memberships
)

select * from final
