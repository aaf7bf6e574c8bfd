{#- Docs cannot drift: passes when the columns documented in YAML for a model or seed are
    exactly the columns of the built relation, and each has a description. A failure returns
    one row per offending column, with what is wrong. Order is not compared. Put it on the
    model itself (not on a column); dbt's `where` config does not apply to it. -#}
{% test columns_match_documentation(model) %}

{%- set problems = [] -%}
{%- if execute -%}
    {%- if model is string -%}
        {{ exceptions.raise_compiler_error(
            "columns_match_documentation reads the relation itself; remove its where config.") }}
    {%- endif -%}
    {%- set ns = namespace(node=none) -%}
    {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- if node.alias | lower == model.identifier | lower
            and node.schema | lower == model.schema | lower -%}
            {%- set ns.node = node -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if ns.node is none -%}
        {{ exceptions.raise_compiler_error(
            "columns_match_documentation: no model or seed builds " ~ model ~ ".") }}
    {%- endif -%}
    {%- set documented = {} -%}
    {%- for name, column in ns.node.columns.items() -%}
        {%- do documented.update({name | lower: column.description | default('', true) | trim}) -%}
    {%- endfor -%}
    {%- set actual = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
    {%- for name in actual if name not in documented -%}
        {%- do problems.append([name, 'a column of the relation, but not documented in YAML']) -%}
    {%- endfor -%}
    {%- for name, description in documented.items() -%}
        {%- if name not in actual -%}
            {%- do problems.append([name, 'documented in YAML, but not a column of the relation']) -%}
        {%- elif description == '' -%}
            {%- do problems.append([name, 'documented in YAML without a description']) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

problems as (
    {%- for name, problem in problems %}
    select '{{ name }}' as column_name, '{{ problem }}' as problem
    union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as problem
)

select * from problems
where column_name is not null

{% endtest %}
