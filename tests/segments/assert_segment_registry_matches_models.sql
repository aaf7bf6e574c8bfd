-- The registry of segments (personas.segment_models(), read by segment_memberships,
-- segment_summary and segment_performance) and the models tagged 'segments' (the catalog's
-- folders, tagged in dbt_project.yml) are the same set. Fails with one row per model missing
-- from either side, named, so that a new segment is not silently left out of the outputs.
{%- set registry = personas.segment_models() %}
{%- set tagged = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name
        and 'segments' in node.tags %}
        {%- do tagged.append(node.name) %}
    {%- endfor %}
{%- endif %}
{%- set problems = [] %}
{%- if execute %}
    {%- for name in tagged | sort if name not in registry %}
        {%- do problems.append([name, "a model tagged 'segments' that is missing from personas.segment_models()"]) %}
    {%- endfor %}
    {%- for name in registry if name not in tagged %}
        {%- do problems.append([name, "listed in personas.segment_models() but no model of that name is tagged 'segments'"]) %}
    {%- endfor %}
    {%- for name in registry if registry.count(name) > 1 and loop.index0 == registry.index(name) %}
        {%- do problems.append([name, "listed more than once in personas.segment_models()"]) %}
    {%- endfor %}
{%- endif %}
with

problems as (
    {%- for name, problem in problems %}
    select
        '{{ name }}' as model_name,
        '{{ problem | replace("'", "''") }}' as reason
    union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as reason
),

final as (
    select * from problems
    where model_name is not null
)

select * from final
