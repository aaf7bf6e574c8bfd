{#- The segment families of marts.segment_transitions, from var segment_transition_families
    ({family: [segment_name, ...]}), as a CTE body: one row per (segment_family, segment_name).
    A family's segments must not overlap (a profile in at most one of them on a day), as the
    8 purchase personas, which split buyers by recency, frequency and value: then each
    member who leaves one goes to exactly one other, or to no segment.
    tests/history/assert_segment_transitions_sum_to_trends.sql fails otherwise. -#}
{% macro segment_transition_families() -%}
    {%- set families = var('segment_transition_families') -%}
    {%- for family, segments in families.items() %}
        {%- set family_loop = loop %}
        {%- for segment in segments %}
    select
        '{{ family }}' as segment_family,
        '{{ segment }}' as segment_name
            {%- if not (family_loop.last and loop.last) %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
{%- endmacro %}
