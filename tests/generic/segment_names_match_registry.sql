{#- The column holds only segment names of the registry (personas.segment_models(), without
    'seg_'), and, with every_segment=true, every one of them at least once. A segment added to
    the registry needs no change here. -#}
{% test segment_names_match_registry(model, column_name, every_segment=false) %}

with

registry as (
    {%- for segment in personas.segment_models() %}
    select '{{ segment[4:] }}' as segment_name
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

present as (
    select distinct {{ column_name }} as segment_name
    from {{ model }}
),

unknown_names as (
    select
        present.segment_name,
        'not a segment of personas.segment_models()' as problem
    from present
    left join registry
        on present.segment_name = registry.segment_name
    where registry.segment_name is null
),

missing_names as (
    select
        registry.segment_name,
        'segment of the registry has no row' as problem
    from registry
    left join present
        on registry.segment_name = present.segment_name
    where present.segment_name is null and {{ 'true' if every_segment else 'false' }}
)

select * from unknown_names
union all
select * from missing_names

{% endtest %}
